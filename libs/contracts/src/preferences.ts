import { z } from 'zod';

/** The languages the staff web app speaks; a staff member's choice is kept on the server (PUT /api/auth/me/preferences). */
export const staffLanguages = ['en', 'ar'] as const;
export type StaffLanguage = (typeof staffLanguages)[number];

/** How digits are written: Latin (0-9) or Arabic-Indic (٠-٩), by Intl's numbering system names. */
export const digitSettings = ['latn', 'arab'] as const;
export type DigitSetting = (typeof digitSettings)[number];

export interface StaffPreferences {
  language: StaffLanguage;
  digits: DigitSetting;
}

export const staffPreferencesSchema: z.ZodType<StaffPreferences> = z.strictObject({ language: z.enum(staffLanguages), digits: z.enum(digitSettings) });

export const defaultStaffPreferences: StaffPreferences = { language: 'en', digits: 'latn' };
