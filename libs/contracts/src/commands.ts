import { z } from 'zod';
import { isSupportedCurrency } from './currency';
import { referenceTypes } from './entries';
import { giftCardCodePattern, giftCardCodeLengthMax, giftCardCodeLengthMin, normalizeGiftCardCode } from './gift-card-code';
import { holdExpiresInSecondsMax, noteLengthMax } from './limits';
import { Decimal, parseAmount } from './money';

/** Commands are versioned; a consumer refuses a version it does not know rather than guessing. */
export const commandSchemaVersion = 1;
export const commandBytesMax = 64 * 1024;

/** Ids are opaque to us but never contain '/', the separator of the message key. */
export const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
const id = z
  .string()
  .regex(idPattern, 'must be 1 to 128 letters, digits or . _ : @ - (starting with a letter or digit)')
  .describe('1 to 128 letters, digits or . _ : @ - (never /, the separator of the message key)');
const currency = z
  .string()
  .refine((code) => isSupportedCurrency(code), 'must be an ISO 4217 currency code with minor units, such as AED')
  .describe('ISO 4217 code of a currency with minor units (AED, JPY, KWD)');
const amount = z
  .string()
  .max(40)
  .describe('A decimal string greater than zero with at most the currency\'s decimals ("25.50" in AED, "1000" in JPY)');
const actor = z.strictObject({ kind: z.enum(['staff', 'service']), id });
const reference = z.strictObject({ type: z.enum(referenceTypes), id: id.optional() });
const giftCardCode = z.string().min(8).max(64);
/** Half of a UTF-16 surrogate pair: JSON and PostgreSQL cannot store it. */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/**
 * A note is free text, but PostgreSQL text and jsonb cannot hold NUL or a lone surrogate: such a command could
 * never be stored, so it is refused here (and dead-lettered) instead of failing its transaction on every delivery.
 */
const note = z
  .string()
  .max(noteLengthMax)
  .refine((text) => !text.includes('\u0000') && !loneSurrogate.test(text), 'must be text without NUL characters or unpaired surrogates');

const base = {
  schemaVersion: z.literal(commandSchemaVersion),
  commandId: id,
  businessId: id,
  actor,
  note: note.optional(),
};
const walletBase = { ...base, clientId: id, currency };

/** Checks every amount field against the currency's scale, so no producer can build an over-precise amount. */
function amountsFitCurrency(fields: readonly string[]) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    const code = value.currency;
    if (typeof code !== 'string' || !isSupportedCurrency(code)) return;
    for (const field of fields) {
      if (value[field] === undefined) continue;
      const parsed = parseAmount(value[field], code);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', path: [field], message: parsed.message, params: { amount: true } });
    }
  };
}

/** A sale cannot owe more than its whole amount: the till's two figures (amountOwed, saleAmount) contradict each other. */
function owedWithinSale(value: { currency: string; amountOwed: string; saleAmount?: string }, ctx: z.RefinementCtx): void {
  if (value.saleAmount === undefined || !parseAmount(value.amountOwed, value.currency).ok || !parseAmount(value.saleAmount, value.currency).ok) return;
  if (new Decimal(value.amountOwed).gt(value.saleAmount)) {
    ctx.addIssue({ code: 'custom', path: ['amountOwed'], message: 'cannot be more than saleAmount, the whole sale' });
  }
}

const balanceChange = <T extends string>(type: T) =>
  z
    .strictObject({ ...walletBase, type: z.literal(type), amount, reference: reference.optional() })
    .superRefine(amountsFitCurrency(['amount']));

/** When credit stops being spendable: an ISO 8601 instant with its offset; the ledger refuses one not in the future. */
const expiresAt = z.iso.datetime({ offset: true });

/**
 * A credit creates a lot (its source follows from the command and its reference: a `payment` reference is paid
 * credit, a `refund` one refund credit, else an adjustment (add) or system credit (credit)), optionally expiring at
 * `expiresAt`. A paid top-up (`balance.add` with reference type `payment`) that meets a tier of the business's bonus
 * rules also creates a bonus lot.
 */
const balanceCredit = <T extends string>(type: T) =>
  z
    .strictObject({ ...walletBase, type: z.literal(type), amount, reference: reference.optional(), expiresAt: expiresAt.optional() })
    .superRefine(amountsFitCurrency(['amount']));

export const addBalanceSchema = balanceCredit('balance.add');
export const creditBalanceSchema = balanceCredit('balance.credit');
export const deductBalanceSchema = balanceChange('balance.deduct');
export const debitBalanceSchema = balanceChange('balance.debit');

/**
 * Undoes one staff add or deduct (entryId), at most once: a reversed deduction gives back the lots it drew from; a
 * reversed add takes back its lot (and the bonus lot it earned), refused with lot_consumed when any of it was spent.
 */
export const reverseEntrySchema = z.strictObject({ ...walletBase, type: z.literal('balance.reverse'), entryId: z.uuid() });

/**
 * Expires what is left of a lot past its expiry (a balance_expired entry), never more than the wallet has available
 * (what holds reserve stays until they end). Only the ledger's own sweep sends it, in-process, with the command id
 * `ledger:expire-credit:<lotId>:<remaining>:<walletVersion>`, so several sweeps expire it once; refused before the lot is due.
 */
export const expireCreditSchema = z.strictObject({ ...walletBase, type: z.literal('balance.expire-credit'), lotId: z.uuid() });

/**
 * Checkout pays min(balance, amountOwed, amountRequested) of a sale with balance, and never more in total for one
 * saleId than the sale's amount: `saleAmount` (the sale's total, whatever pays it), or the first payment's amountOwed
 * when the till does not send it. A later payment with another saleAmount is a sale edited at the till: it becomes the
 * sale's amount, unless it is below what balance already paid or refunds already returned (sale_amount_below_settled).
 */
export const payWithBalanceSchema = z
  .strictObject({
    ...walletBase,
    type: z.literal('balance.pay'),
    saleId: id,
    amountOwed: amount,
    amountRequested: amount.optional(),
    saleAmount: amount.optional(),
  })
  .superRefine(amountsFitCurrency(['amountOwed', 'amountRequested', 'saleAmount']))
  .superRefine(owedWithinSale);

/**
 * A refund credited to balance: of an earlier balance payment (paymentCommandId, capped by what it applied) or of a
 * sale paid by any means (saleId with saleAmount, the sale's total). Refunds of one sale never return more in total
 * than its amount; a refundId is applied once (the same refund under another commandId is a replay, another refund
 * under that refundId is refund_conflict).
 */
export const refundToBalanceSchema = z
  .strictObject({
    ...walletBase,
    type: z.literal('balance.refund'),
    refundId: id,
    amount,
    paymentCommandId: id.optional(),
    saleId: id.optional(),
    saleAmount: amount.optional(),
  })
  .superRefine(amountsFitCurrency(['amount', 'saleAmount']))
  .superRefine((value, ctx) => {
    if ((value.paymentCommandId === undefined) === (value.saleId === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['paymentCommandId'], message: 'give exactly one of paymentCommandId or saleId' });
    }
    if (value.saleId !== undefined && value.saleAmount === undefined) {
      ctx.addIssue({ code: 'custom', path: ['saleAmount'], message: "required with saleId: the sale's total amount, which bounds its refunds" });
    }
  });

/**
 * Reserves balance for a sale (split-tender checkout): holds min(available, owed, requested, what the sale leaves),
 * where available = balance - active holds. Nothing available holds nothing (amountHeld "0.00", no hold). The hold
 * is captured (balance.capture), released (balance.release), or released by the ledger once it expires. Its holdId
 * is holdIdOf(businessId, commandId) (keys.ts): known before the reply arrives.
 */
export const placeHoldSchema = z
  .strictObject({
    ...walletBase,
    type: z.literal('balance.hold'),
    saleId: id,
    amountOwed: amount,
    amountRequested: amount.optional(),
    saleAmount: amount.optional(),
    expiresInSeconds: z.number().int().min(1).max(holdExpiresInSecondsMax).optional(),
  })
  .superRefine(amountsFitCurrency(['amountOwed', 'amountRequested', 'saleAmount']))
  .superRefine(owedWithinSale);

/**
 * Captures an active hold: `amount` (at most what it holds; default all) becomes a used_for_payment entry, a balance
 * payment refundable by this command's id; the rest is released. clientId and currency name the hold's wallet.
 */
export const captureHoldSchema = z
  .strictObject({ ...walletBase, type: z.literal('balance.capture'), holdId: z.uuid(), amount: amount.optional() })
  .superRefine(amountsFitCurrency(['amount']));

/** Releases an active hold: what it held is available again. */
export const releaseHoldSchema = z.strictObject({ ...walletBase, type: z.literal('balance.release'), holdId: z.uuid() });

/**
 * Ends a hold past its expiry as expired. Only the ledger's own sweep sends it, in-process (no topic carries it), with
 * the command id `ledger:expire-hold:<holdId>`, so several sweeps change nothing twice; refused while the hold is not due.
 */
export const expireHoldSchema = z.strictObject({ ...walletBase, type: z.literal('balance.expire-hold'), holdId: z.uuid() });

export const issueGiftCardSchema = z
  .strictObject({
    ...base,
    type: z.literal('giftcard.issue'),
    code: giftCardCode.refine(
      (code) => giftCardCodePattern.test(normalizeGiftCardCode(code)),
      `must be ${giftCardCodeLengthMin} to ${giftCardCodeLengthMax} letters and digits (dashes and spaces ignored)`,
    ),
    amount,
    currency,
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .superRefine(amountsFitCurrency(['amount']));

export const voidGiftCardSchema = z.strictObject({
  ...base,
  type: z.literal('giftcard.void'),
  giftCardId: z.uuid(),
});

export const redeemGiftCardSchema = z.strictObject({
  ...walletBase,
  type: z.literal('giftcard.redeem'),
  code: giftCardCode,
});

export const commandSchema = z.discriminatedUnion('type', [
  addBalanceSchema,
  creditBalanceSchema,
  deductBalanceSchema,
  debitBalanceSchema,
  payWithBalanceSchema,
  refundToBalanceSchema,
  issueGiftCardSchema,
  voidGiftCardSchema,
  redeemGiftCardSchema,
  placeHoldSchema,
  captureHoldSchema,
  releaseHoldSchema,
  expireHoldSchema,
  reverseEntrySchema,
  expireCreditSchema,
]);

export type Command = z.infer<typeof commandSchema>;
export type CommandType = Command['type'];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;
export type WalletCommand = Extract<Command, { clientId: string }>;
export type BalanceChangeCommand = CommandOf<'balance.add' | 'balance.credit' | 'balance.deduct' | 'balance.debit'>;
export type BalanceCreditCommand = CommandOf<'balance.add' | 'balance.credit'>;
export type HoldEndCommand = CommandOf<'balance.capture' | 'balance.release' | 'balance.expire-hold'>;
export type Actor = z.infer<typeof actor>;
export type Reference = z.infer<typeof reference>;

export const commandTypes: readonly CommandType[] = commandSchema.options.map((option) => option.shape.type.value);

/**
 * The ledger's own commands (its expiry sweep's) and their command ids: only they start with `ledger:`, and they must.
 * A producer can neither send one (no topic carries them) nor take one of their ids first with a command of its own
 * (which would be answered in their place and leave a hold or a lot unexpired for ever).
 */
export const ledgerCommandTypes: readonly CommandType[] = ['balance.expire-hold', 'balance.expire-credit'];
export const ledgerCommandIdPrefix = 'ledger:';

function ledgerIdProblem(command: Command): string | undefined {
  const own = ledgerCommandTypes.includes(command.type);
  const reserved = command.commandId.startsWith(ledgerCommandIdPrefix);
  if (own && !reserved) return `commandId: the ledger's own ${command.type} commands have ids starting ${ledgerCommandIdPrefix}`;
  if (!own && reserved) return `commandId: ids starting ${ledgerCommandIdPrefix} are the ledger's own; choose another`;
  return undefined;
}

/** Why a message can never be applied; the dead-letter topic carries it. */
export const rejectionCodes = [
  'oversized',
  'malformed_json',
  'unsupported_schema_version',
  'unknown_type',
  'invalid_amount',
  'schema_violation',
  'wrong_topic',
] as const;
export type RejectionCode = (typeof rejectionCodes)[number];
/** Every `dlq-code` a dead letter carries: the command's own rejections, and wrong_key, which the worker decides from the message key. */
export const deadLetterCodes = [...rejectionCodes, 'wrong_key'] as const;
export type DeadLetterCode = (typeof deadLetterCodes)[number];

export type ParsedCommand = { ok: true; command: Command } | { ok: false; code: RejectionCode; reason: string };

/** Validates an already-decoded value into a command, or says precisely why it is not one. */
export function parseCommand(value: unknown): ParsedCommand {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'schema_violation', reason: 'a command must be a JSON object' };
  }
  const record = value as Record<string, unknown>;
  if (record.schemaVersion !== commandSchemaVersion) {
    return {
      ok: false,
      code: 'unsupported_schema_version',
      reason: `schemaVersion must be ${commandSchemaVersion}, got ${JSON.stringify(record.schemaVersion)}`,
    };
  }
  if (typeof record.type !== 'string' || !commandTypes.includes(record.type as CommandType)) {
    return { ok: false, code: 'unknown_type', reason: `unknown command type ${JSON.stringify(record.type)}` };
  }
  const result = commandSchema.safeParse(value);
  if (result.success) {
    const problem = ledgerIdProblem(result.data);
    return problem === undefined ? { ok: true, command: result.data } : { ok: false, code: 'schema_violation', reason: problem };
  }
  const amountIssue = result.error.issues.some((issue) => issue.code === 'custom' && issue.params?.amount === true);
  return { ok: false, code: amountIssue ? 'invalid_amount' : 'schema_violation', reason: describeIssues(result.error) };
}

/** Decodes the raw bytes of a Kafka message value into a command. */
export function decodeCommand(bytes: Buffer | null): ParsedCommand {
  if (bytes === null || bytes.length === 0) return { ok: false, code: 'malformed_json', reason: 'empty message' };
  if (bytes.length > commandBytesMax) {
    return { ok: false, code: 'oversized', reason: `message is ${bytes.length} bytes, the limit is ${commandBytesMax}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    // Only where it broke: V8's own message quotes the text it failed on, which may be a gift card code sent by mistake,
    // and this reason travels in the dead letter's headers and is printed by the tools that list them.
    const position = /at position (\d+)/.exec((error as Error).message)?.[1];
    return { ok: false, code: 'malformed_json', reason: position === undefined ? 'not valid JSON' : `not valid JSON (at character ${position})` };
  }
  return parseCommand(value);
}

export class InvalidCommandError extends Error {
  constructor(
    readonly code: RejectionCode,
    readonly reason: string,
  ) {
    super(`invalid command (${code}): ${reason}`);
  }
}

/** What a producer passes to buildCommand: a command without the schema version, which the contract fills in. */
export type CommandInput = Command extends infer C ? (C extends Command ? Omit<C, 'schemaVersion'> : never) : never;

/** Builds a valid command or throws: a producer that uses this cannot send an invalid command. */
export function buildCommand<T extends CommandInput>(input: T): Command {
  const parsed = parseCommand({ ...input, schemaVersion: commandSchemaVersion });
  if (!parsed.ok) throw new InvalidCommandError(parsed.code, parsed.reason);
  return parsed.command;
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(command)'}: ${issue.message}`)
    .join('; ');
}
