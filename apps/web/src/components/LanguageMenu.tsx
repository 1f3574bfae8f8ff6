import { digitSettings, staffLanguages, type StaffPreferences } from '@storecredit/contracts';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { put } from '../api';
import { applyPreferences, currentDigits, currentLanguage } from '../i18n';
import { ErrorNotice } from './Notice';

/**
 * The language and digits chooser: in the top bar (a disclosure, so it fits a phone) and on the sign-in screen. A
 * choice applies at once and is remembered on this device; signed in, it is saved for the staff member too
 * (`onSaved` gets what the server kept), so it follows them to any device.
 */
export function LanguageMenu({ signedIn, onSaved }: { signedIn: boolean; onSaved?: (preferences: StaffPreferences) => void }) {
  const { t } = useTranslation();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const ids = { language: useId(), digits: useId() };
  const chosen: StaffPreferences = { language: currentLanguage(), digits: currentDigits() };

  const choose = async (preferences: StaffPreferences) => {
    setError(null);
    applyPreferences(preferences);
    if (!signedIn) return;
    setBusy(true);
    try {
      const { body } = await put<StaffPreferences>('/api/auth/me/preferences', preferences);
      onSaved?.(body);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="language-menu">
      <summary className="button button-quiet" aria-label={t('preferences.title')}>
        <GlobeIcon /> <span lang={chosen.language}>{t(`preferences.languageName.${chosen.language}`)}</span>
      </summary>
      <div className="language-menu-panel">
        <div className="field">
          <label htmlFor={ids.language}>{t('preferences.language')}</label>
          <select id={ids.language} value={chosen.language} disabled={busy} onChange={(e) => void choose({ ...chosen, language: e.target.value as StaffPreferences['language'] })}>
            {staffLanguages.map((language) => (
              <option key={language} value={language} lang={language}>
                {t(`preferences.languageName.${language}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.digits}>{t('preferences.digits')}</label>
          <select id={ids.digits} value={chosen.digits} disabled={busy} onChange={(e) => void choose({ ...chosen, digits: e.target.value as StaffPreferences['digits'] })}>
            {digitSettings.map((digits) => (
              <option key={digits} value={digits}>
                {t(digits === 'latn' ? 'preferences.digitsLatn' : 'preferences.digitsArab')}
              </option>
            ))}
          </select>
        </div>
        {busy ? <p className="muted">{t('preferences.saving')}</p> : null}
        <ErrorNotice error={error} />
      </div>
    </details>
  );
}

/** A globe (drawn, not an emoji: a desk's system may have no emoji font); it points no way, so it is never mirrored. */
function GlobeIcon() {
  return (
    <svg className="icon" width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true" focusable="false">
      <circle cx="12" cy="12" r="10" />
      <path d="M2 12h20M12 2a15 15 0 0 1 0 20M12 2a15 15 0 0 0 0 20" />
    </svg>
  );
}
