import type { Allocation, BonusTier, BonusTierRule, CreatedLot, EntryReferenceType, EntryType, ErrorCode, GiftCardListItem, LotSource, Permission, StaffPreferences, StaffRole } from '@storecredit/contracts';
import { currentLanguage, t } from './i18n';
import { en } from './locales/en';

/**
 * The gateway's JSON API. Errors come back as `{ error: { code, message, details } }` and are thrown as
 * ApiError with the server's own message; a request that never reached the server is a NetworkError.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

export class NetworkError extends Error {
  constructor() {
    super(t('api.networkError'));
  }
}

/** A write the ledger has not answered yet, still pending when we stopped polling. */
export class StillPendingError extends Error {
  constructor(readonly commandId: string) {
    super(t('api.stillPending'));
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type Listener = () => void;
let onSignedOut: Listener = () => undefined;

/** Called when the server says the session is gone, so the app can show the sign-in screen. */
export function setSignedOutListener(listener: Listener): void {
  onSignedOut = listener;
}

interface RequestOptions {
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface Answer<T> {
  status: number;
  body: T;
}

async function send<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body: unknown, options: RequestOptions): Promise<Answer<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new NetworkError();
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) throw toApiError(response, parsed, path);
  return { status: response.status, body: parsed as T };
}

/** The error codes English explains in the app's own words rather than the server's sentence; see errorWords. */
const wordedErrorCodes = new Set<string>([
  'insufficient_balance',
  'hold_not_found',
  'hold_expired',
  'hold_already_captured',
  'hold_already_released',
  'capture_exceeds_hold',
  'lot_consumed',
  'entry_already_reversed',
  'entry_not_reversible',
  'expiry_not_in_future',
] satisfies ErrorCode[]);

/** The refund screen's refusals, explained in its own words (locales: `refunds.errors`). */
const refundErrorCodes = new Set<string>(['refund_exceeds_payment', 'refund_exceeds_sale', 'refund_conflict', 'sale_mismatch'] satisfies ErrorCode[]);

/**
 * An error in the staff member's language, by its code (locales: `errors`). English shows the server's own sentence
 * (it may name the field or the reason) except for the codes it words itself; any other language shows its text
 * for the code, and for a code it does not know a general sentence with the code, never the server's English. The
 * refund codes have the refund screen's words in every language.
 */
export function errorWords(code: string, serverMessage: string): string {
  if (refundErrorCodes.has(code)) return t(`refunds.errors.${code as keyof typeof en.refunds.errors}`);
  const known = Object.hasOwn(en.errors, code) && code !== 'unknown';
  if (currentLanguage() === 'en' && !wordedErrorCodes.has(code)) return serverMessage;
  return known ? t(`errors.${code as Exclude<keyof typeof en.errors, 'unknown'>}`) : t('errors.unknown', { code });
}

function toApiError(response: Response, parsed: unknown, path: string): ApiError {
  const error = (parsed as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)?.error;
  const retryAfter = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
  const apiError = error?.message
    ? new ApiError(
        response.status,
        error.code ?? 'error',
        errorWords(error.code ?? 'error', error.message),
        error.details ?? {},
        Number.isFinite(retryAfter) ? retryAfter : null,
      )
    : new ApiError(response.status, 'http_error', t('api.serverAnswered', { status: `${response.status} ${response.statusText}`.trim() }));
  if (apiError.code === 'unauthenticated' && !path.startsWith('/api/auth/')) onSignedOut();
  return apiError;
}

export async function get<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return (await send<T>('GET', path, undefined, options)).body;
}

export function post<T>(path: string, body: unknown = {}, options: RequestOptions = {}): Promise<Answer<T>> {
  return send<T>('POST', path, body, options);
}

export function patch<T>(path: string, body: unknown): Promise<Answer<T>> {
  return send<T>('PATCH', path, body, {});
}

export function put<T>(path: string, body: unknown): Promise<Answer<T>> {
  return send<T>('PUT', path, body, {});
}

export function del<T>(path: string): Promise<Answer<T>> {
  return send<T>('DELETE', path, undefined, {});
}

export function query(params: Record<string, string | readonly string[] | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    for (const one of Array.isArray(value) ? value : [value]) search.append(key, one as string);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** A v4 UUID; crypto.randomUUID needs a secure context, which a tablet on the salon's LAN may not have. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

interface CommandAnswer<R> {
  commandId: string;
  status: 'applied' | 'pending' | 'rejected';
  statusUrl?: string;
  result?: R;
  /** A command the ledger refused carries one of the contract's error codes. */
  error?: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

export const pollIntervalMs = 1_000;
export const pollIntervalMaxMs = 5_000;
export const pollDurationMaxMs = 120_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends a write and returns the ledger's result. A 202 means the ledger has not answered in time: the
 * caller is told (onPending) and the status URL is polled until the command is applied or rejected.
 */
export async function submitCommand<R>(
  path: string,
  body: unknown,
  idempotencyKey: string,
  onPending: (commandId: string) => void = () => undefined,
): Promise<R> {
  const answer = await post<CommandAnswer<R>>(path, body, { idempotencyKey });
  if (answer.status !== 202) return answer.body.result as R;
  onPending(answer.body.commandId);
  return waitForCommand<R>(answer.body.statusUrl ?? `/api/commands/${encodeURIComponent(answer.body.commandId)}`, answer.body.commandId);
}

export async function waitForCommand<R>(statusUrl: string, commandId: string): Promise<R> {
  const started = Date.now();
  let interval = pollIntervalMs;
  while (Date.now() - started < pollDurationMaxMs) {
    await sleep(interval);
    interval = Math.min(interval * 1.5, pollIntervalMaxMs);
    let status: CommandAnswer<R>;
    try {
      status = await get<CommandAnswer<R>>(statusUrl);
    } catch (error) {
      if (error instanceof NetworkError) continue;
      throw error;
    }
    if (status.status === 'applied') return status.result as R;
    if (status.status === 'rejected') {
      const code = status.error?.code ?? 'rejected';
      throw new ApiError(422, code, errorWords(code, status.error?.message ?? t('api.refused')), status.error?.details ?? {});
    }
  }
  throw new StillPendingError(commandId);
}

export interface Me {
  kind: 'staff' | 'service';
  id: string;
  name: string;
  businessId: string;
  permissions: string[];
  /** A staff member's language and digits (a service has none). */
  preferences?: StaffPreferences;
}

export interface Client {
  id: string;
  name: string;
  phone: string | null;
  email: string | null;
  externalId: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Wallet {
  currency: string;
  balance: string;
  /** What active holds reserve of the balance, and what is left: what a payment, hold or deduction may take now. */
  held: string;
  available: string;
  hasBalance: boolean;
  /** Credit whose lots expire within the gateway's window (30 days), and the first such expiry. */
  expiringSoon?: { amount: string; firstExpiresAt: string | null };
}

export type HoldStatus = 'active' | 'captured' | 'released' | 'expired';

/** A hold as a hold command's result gives it. */
export interface HoldState {
  holdId: string;
  saleId: string;
  amount: string;
  captured: string;
  status: HoldStatus;
  expiresAt: string;
}

/** A hold as GET /api/clients/:id/holds lists it. */
export interface Hold extends HoldState {
  currency: string;
  createdAt: string;
  endedAt: string | null;
}

export interface Entry {
  id: string;
  occurredAt: string;
  type: EntryType;
  currency: string;
  amount: string;
  balanceAfter: string;
  reference: { type: EntryReferenceType; id: string | null };
  note: string | null;
  actor: string;
  /** Who, in words: the staff member's or API key's name, or what the actor is (the gateway decides). */
  actorName: string;
  /** The redeemed card's last four characters, on a gift card redemption. */
  giftCardLast4?: string | null;
  /** A credit: the lots it created (with what is left of each). */
  lots?: EntryLot[];
  /** A debit: what it drew from each lot, in the order drawn. */
  allocations?: { lotId: string; source: LotSource; amount: string; expiresAt: string | null }[];
  reversesEntryId?: string | null;
  /** The reversal of this entry, if it was reversed. */
  reversedByEntryId?: string | null;
  bonusTier?: BonusTier | null;
}

export interface EntryLot {
  lotId: string;
  source: LotSource;
  amount: string;
  remaining: string;
  expiresAt: string | null;
  restoredFrom?: string | null;
}

export interface WalletResult {
  entryId?: string | null;
  currency: string;
  amount: string;
  balanceAfter: string;
  amountStillOwed?: string;
  lots?: CreatedLot[];
  allocations?: Allocation[];
  /** A paid top-up that reached a bonus tier: the bonus entry written with it (balanceAfter includes it). */
  bonus?: { entryId: string; amount: string; lot: CreatedLot; tier: BonusTier };
}

/** A currency's bonus tiers as GET /api/settings/bonus-rules lists them. */
export interface BonusRule {
  currency: string;
  tiers: BonusTierRule[];
  expiresInDays: number | null;
  version: number;
  updatedAt: string;
  updatedByName: string;
}

export interface CreditSettings {
  refundGraceDays: number;
  isDefault: boolean;
  updatedAt: string | null;
  updatedByName: string | null;
}

/** A hold, capture or release: the wallet's available balance after it and the hold (none when nothing was held). */
export interface HoldResult extends WalletResult {
  entryType: string | null;
  available: string;
  /** A hold's: what it placed ("0.00" when nothing was available). */
  amountHeld?: string;
  hold?: HoldState;
}

/** A card as the gateway lists it: its status and whether it can be voided are the server's to say. */
export type GiftCard = GiftCardListItem;

/** A staff member as GET /api/staff lists them. */
export interface StaffMember {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  permissions: Permission[];
  active: boolean;
  deactivatedAt: string | null;
}

/** An API key as GET /api/api-keys lists it: never the key itself, which only its creation answers, once. */
export interface ApiKey {
  id: string;
  name: string;
  permissions: Permission[];
  createdBy: string | null;
  createdAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiKey {
  id: string;
  key: string;
  name: string;
  permissions: Permission[];
}

/** A balance payment (or a hold's capture) as GET /api/clients/:id/payments lists it: what refunds may still return is the ledger's figure. */
export interface BalancePayment {
  paymentCommandId: string;
  kind: 'payment' | 'capture';
  holdId: string | null;
  clientId: string;
  saleId: string;
  currency: string;
  amountApplied: string;
  amountRefunded: string;
  refundable: string;
  createdAt: string;
  actor: string | null;
  actorName: string | null;
}

/** A sale as GET /api/sales/:saleId shows it, with its balance payments. */
export interface Sale {
  saleId: string;
  clientId: string;
  currency: string;
  amount: string;
  paidWithBalance: string;
  refunded: string;
  held: string;
  refundable: string;
  payments: BalancePayment[];
}
