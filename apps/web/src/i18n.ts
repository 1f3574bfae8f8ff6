import i18next from 'i18next';
import { defaultStaffPreferences, digitSettings, staffLanguages, type DigitSetting, type StaffLanguage, type StaffPreferences } from '@storecredit/contracts';
import { ar } from './locales/ar';
import { en } from './locales/en';

/**
 * The app's words through i18next: one instance, English and Arabic, their resources bundled (no loading, so `t`
 * works from the first render and in the unit specs). React components use it through react-i18next
 * (`useTranslation`, `<Trans>`; the provider is in main.tsx); plain functions (money, labels, errors) use `t`.
 * A staff member's language and digits are kept on the server and applied at sign-in (App.tsx); before anyone is
 * known, the browser's language or the last choice on this device (localStorage) decides.
 */
export const defaultLanguage: StaffLanguage = 'en';
export const resources = { en: { translation: en }, ar: { translation: ar } } as const;

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: (typeof resources)['en'];
  }
}

/** Where this device remembers the last language and digits chosen, for the sign-in screen. */
const storageKey = 'storecredit.preferences';

/** Unicode's first-strong isolate and its end: an interpolated value (an amount, an id, a name) keeps its own direction. */
const isolateStart = '\u2068';
const isolateEnd = '\u2069';

let digits: DigitSetting = defaultStaffPreferences.digits;

export const i18n = i18next.createInstance();
void i18n.init({
  lng: initialPreferences().language,
  fallbackLng: defaultLanguage,
  supportedLngs: [...staffLanguages],
  resources,
  initAsync: false,
  interpolation: {
    // React escapes what it renders, so no HTML escaping ("&amp;" in a client's name); in right-to-left text each
    // value is isolated instead, so "AED 1,234.50" or a sale id inside an Arabic sentence never scrambles.
    escapeValue: true,
    escape: (value: string) => (i18n.dir() === 'rtl' ? `${isolateStart}${value}${isolateEnd}` : value),
  },
});
digits = initialPreferences().digits;

export const t = i18n.t.bind(i18n);

export function currentLanguage(): StaffLanguage {
  return isStaffLanguage(i18n.language) ? i18n.language : defaultLanguage;
}

export function currentDigits(): DigitSetting {
  return digits;
}

/**
 * Switches the app's words, direction and digits at once, and remembers them on this device. Every screen
 * re-renders: react-i18next listens to languageChanged, which i18next emits even when only the digits changed.
 */
export function applyPreferences(preferences: StaffPreferences): void {
  digits = preferences.digits;
  void i18n.changeLanguage(preferences.language);
  if (typeof document !== 'undefined') {
    document.documentElement.lang = preferences.language;
    document.documentElement.dir = i18n.dir(preferences.language);
    document.title = i18n.t('app.name');
  }
  try {
    globalThis.localStorage?.setItem(storageKey, JSON.stringify(preferences));
  } catch {
    // Private browsing may refuse storage; the choice then lasts for this page only.
  }
}

/** The last choice on this device, else the browser's language (Arabic for any `ar-*`), with Latin digits. */
export function initialPreferences(): StaffPreferences {
  try {
    const stored = JSON.parse(globalThis.localStorage?.getItem(storageKey) ?? 'null') as Partial<StaffPreferences> | null;
    if (stored && isStaffLanguage(stored.language) && isDigitSetting(stored.digits)) return { language: stored.language, digits: stored.digits };
  } catch {
    // Unreadable storage is the same as none.
  }
  const browser = typeof navigator === 'undefined' ? '' : navigator.language.toLowerCase();
  return { language: browser === 'ar' || browser.startsWith('ar-') ? 'ar' : defaultLanguage, digits: defaultStaffPreferences.digits };
}

function isStaffLanguage(value: unknown): value is StaffLanguage {
  return (staffLanguages as readonly unknown[]).includes(value);
}

function isDigitSetting(value: unknown): value is DigitSetting {
  return (digitSettings as readonly unknown[]).includes(value);
}
