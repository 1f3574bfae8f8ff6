import type { en } from './en';

/** i18next's plural suffixes for Arabic (Intl.PluralRules('ar')); English has only `one` and `other`. */
export type ArabicPluralSuffix = 'zero' | 'one' | 'two' | 'few' | 'many' | 'other';

/**
 * The shape another language's words must have: every key of `T` (en.ts), a string wherever English has one, and
 * each English plural (`x_one` + `x_other`) as the language's own plural forms (`x_zero` … `x_other` for Arabic).
 * Used with `satisfies`, so a key missing from the language, or one English no longer has, fails the type check.
 */
export type Resources<T, Plural extends string> = {
  -readonly [K in keyof T as K extends `${infer Base}_other` ? `${Base}_${Plural}` : K extends `${string}_one` ? never : K]: T[K] extends string
    ? string
    : Resources<T[K], Plural>;
};

export type ArabicResources = Resources<typeof en, ArabicPluralSuffix>;
