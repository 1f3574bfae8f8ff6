import i18next from 'i18next';
import { en } from './locales/en';

/**
 * The app's words through i18next: one instance, English only for now, its resources bundled (no loading, so
 * `t` works from the first render and in the unit specs). React components use it through react-i18next
 * (`useTranslation`, `<Trans>`; the provider is in main.tsx); plain functions (money, labels, errors) use `t`.
 */
export const defaultLanguage = 'en';
export const resources = { en: { translation: en } } as const;

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: (typeof resources)['en'];
  }
}

export const i18n = i18next.createInstance();
void i18n.init({
  lng: defaultLanguage,
  fallbackLng: defaultLanguage,
  resources,
  initAsync: false,
  // React escapes what it renders; escaping here too would show "&amp;" in a client's name.
  interpolation: { escapeValue: false },
});

export const t = i18n.t.bind(i18n);
