import { useState, type FormEvent } from 'react';
import { post, type Me } from '../api';
import { useTranslation } from 'react-i18next';
import { LanguageMenu } from '../components/LanguageMenu';
import { ErrorNotice } from '../components/Notice';
import type { StaffPreferences } from '@storecredit/contracts';

interface SignInAnswer {
  staff: { id: string; name: string; businessId: string; permissions: string[]; preferences: StaffPreferences };
}

export function SignIn({ reason, onSignedIn }: { reason?: string; onSignedIn: (me: Me) => void }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { body } = await post<SignInAnswer>('/api/auth/sign-in', { email: email.trim(), password });
      const { id, name, businessId, permissions, preferences } = body.staff;
      onSignedIn({ kind: 'staff', id, name, businessId, permissions, preferences });
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  return (
    <main className="sign-in" id="main">
      <div className="sign-in-language">
        <LanguageMenu signedIn={false} />
      </div>
      <form className="card sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">{t('app.name')}</h1>
        <p className="muted">{t('signIn.intro')}</p>
        {reason ? (
          <p className="notice notice-info" role="status">
            {reason}
          </p>
        ) : null}
        <div className="field">
          <label htmlFor="email">{t('signIn.email')}</label>
          <input id="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        </div>
        <div className="field">
          <label htmlFor="password">{t('signIn.password')}</label>
          <input
            id="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <ErrorNotice error={error} />
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? t('signIn.busy') : t('signIn.submit')}
        </button>
      </form>
    </main>
  );
}
