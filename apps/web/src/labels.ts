import { normalizeGiftCardCode, type AuditItem, type BonusTierRule, type EntryReferenceType, type EntryType, type GiftCardDisplayStatus, type LotSource } from '@storecredit/contracts';
import { currentDigits, currentLanguage, t } from './i18n';
import { formatMoney, intlLocales } from './money';

/**
 * The product's own words for the contract's entry types, reference types and gift card statuses, from the
 * resources (locales/). The keys are built from the contract's types, so a type added there and not named in the
 * resources fails the type check here.
 */
export function entryTypeLabel(type: EntryType): string {
  return t(`labels.entryType.${type}`);
}

export function lotSourceLabel(source: LotSource): string {
  return t(`labels.lotSource.${source}`);
}

/** A bonus tier in words: "10% from AED 1,000.00", "AED 25.00 from AED 500.00". */
export function bonusTierLabel(tier: BonusTierRule, currency: string, money: (amount: string, currency: string) => string): string {
  const min = money(tier.minAmount, currency);
  return tier.percent !== undefined ? t('bonus.percentTier', { percent: tier.percent, min }) : t('bonus.fixedTier', { fixed: money(tier.fixed ?? '0', currency), min });
}

export function giftCardStatusLabel(status: GiftCardDisplayStatus): string {
  return t(`labels.giftCardStatus.${status}`);
}

export function referenceTypeLabel(type: EntryReferenceType): string {
  return t(`labels.referenceType.${type}`);
}

/** A redemption names its card by the last four characters the gateway gives, never by the card's id. */
export function referenceLabel(entry: { reference: { type: EntryReferenceType; id: string | null }; giftCardLast4?: string | null }): string {
  if (entry.giftCardLast4) return t('labels.giftCardReference', { last4: entry.giftCardLast4 });
  const type = referenceTypeLabel(entry.reference.type);
  return entry.reference.id ? t('labels.referenceWithId', { type, id: entry.reference.id }) : type;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * Dates in the staff member's language and digits. English keeps the browser's own locale (its order of day and
 * month, as before); Arabic is the UAE's (ar-AE).
 */
function dateFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const language = currentLanguage();
  const key = `${language}|${currentDigits()}|${options.timeStyle ?? ''}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(language === 'en' ? undefined : intlLocales[language], { ...options, numberingSystem: currentDigits() });
    dateFormats.set(key, format);
  }
  return format;
}

export function formatDateTime(iso: string): string {
  return dateFormat({ dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function formatDate(iso: string): string {
  return dateFormat({ dateStyle: 'medium' }).format(new Date(iso));
}

/** Gift card codes are read aloud in groups of four. */
export function groupCode(code: string): string {
  return normalizeGiftCardCode(code).replace(/(.{4})(?=.)/g, '$1-');
}

/** A countdown as a clock shows it: "14:59", "1:02:03"; a part of a second left counts as a whole one. */
export function formatTimeLeft(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const [hours, minutes, seconds] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`;
  // A clock's digits follow the staff member's setting like every other number.
  return currentDigits() === 'arab' ? clock.replace(/[0-9]/g, (digit) => String.fromCharCode(0x0660 + Number(digit))) : clock;
}

/** An audit log action in words; an action this app does not know yet shows as the server names it. */
export function auditActionLabel(action: string): string {
  return t(`audit.actions.${action}`, { defaultValue: action });
}

/** The few words after an audit action that say on what it was done; never more than the row's own details. */
export function auditSummary(item: AuditItem): string {
  const details = item.details;
  const text = (key: string) => (typeof details[key] === 'string' ? (details[key] as string) : '');
  switch (item.action) {
    case 'staff_created':
      return t('audit.summary.staff', { name: text('name'), role: text('role') });
    case 'api_key_created':
    case 'api_key_revoked':
      return t('audit.summary.apiKey', { name: text('name') });
    case 'gift_cards_issued': {
      const count = Array.isArray(details.cards) ? details.cards.length : 0;
      return t('audit.summary.giftCards', { count, amount: formatMoney(text('amount'), text('currency')) });
    }
    case 'bonus_rules_changed':
    case 'bonus_rules_removed':
      return t('audit.summary.bonus', { currency: text('currency'), version: String(details.version ?? '') });
    case 'credit_settings_changed':
      return t('audit.summary.grace', { days: String(details.refundGraceDays ?? '') });
    case 'currencies_changed': {
      const after = (details.after ?? {}) as { defaultCurrency?: unknown; accepted?: unknown };
      const accepted = Array.isArray(after.accepted) ? after.accepted.filter((code): code is string => typeof code === 'string') : [];
      return t('audit.summary.currencies', { currency: String(after.defaultCurrency ?? ''), accepted: accepted.join(', ') });
    }
    case 'staff_role_changed': {
      const role = (details.after as { role?: unknown } | undefined)?.role;
      return typeof role === 'string' ? t('audit.summary.role', { role: t(`staff.roles.${role}`, { defaultValue: role }) }) : '';
    }
    default:
      return '';
  }
}
