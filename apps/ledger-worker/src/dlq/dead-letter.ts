import { giftCardLast4, headerNames } from '@storecredit/contracts';
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { DeadLetterFilter } from './dlq-args';

/** Characters of a reason `list` shows; `show` prints it whole. */
export const listReasonCharsMax = 80;
/** Bytes of a value `show` prints when it is not JSON. */
export const showValueBytesMax = 4096;

/** A message of the dead-letter topic, read as the worker wrote it (command.consumer.ts, deadLetterOf). */
export interface DeadLetter {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
  code: string;
  reason: string;
  originalTopic: string | undefined;
  failedAt: Date;
}

export function deadLetterOf(partition: number, message: KafkaMessage): DeadLetter {
  const headers = message.headers ?? {};
  const failedAt = new Date(headerText(headers, headerNames.dlqFailedAt) ?? '');
  return {
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers,
    code: headerText(headers, headerNames.dlqCode) ?? 'unknown',
    reason: headerText(headers, headerNames.dlqReason) ?? '',
    originalTopic: headerText(headers, headerNames.dlqOriginalTopic),
    // A dead letter without its time (written by hand) counts from when Kafka took it.
    failedAt: Number.isNaN(failedAt.getTime()) ? new Date(Number(message.timestamp)) : failedAt,
  };
}

export function matches(letter: DeadLetter, filter: DeadLetterFilter): boolean {
  if (filter.code !== undefined && letter.code !== filter.code) return false;
  if (filter.since !== undefined && letter.failedAt < filter.since) return false;
  return true;
}

export function positionOf(letter: DeadLetter): string {
  return `${letter.partition}:${letter.offset}`;
}

/** One line of `list`: partition:offset, failed at, code, original topic, key, reason (trimmed). */
export function listLine(letter: DeadLetter): string {
  // Masked before it is cut, so that a code across the cut is still recognised.
  const masked = maskCodeShapes(letter.reason);
  const reason = masked.length > listReasonCharsMax ? `${masked.slice(0, listReasonCharsMax - 1)}…` : masked;
  const key = letter.key === null ? '(no key)' : JSON.stringify(letter.key.toString('utf8'));
  return [positionOf(letter), letter.failedAt.toISOString(), letter.code, letter.originalTopic ?? '(no topic)', key, reason].join('  ');
}

/** `show`: every header, then the value, pretty when it is JSON, with gift card codes masked. */
export function showText(letter: DeadLetter): string {
  const lines = [`dead letter ${positionOf(letter)}`, `key: ${letter.key === null ? '(none)' : JSON.stringify(letter.key.toString('utf8'))}`, 'headers:'];
  for (const [name, value] of Object.entries(letter.headers)) {
    for (const one of Array.isArray(value) ? value : [value]) if (one !== undefined) lines.push(`  ${name}: ${maskCodeShapes(one.toString())}`);
  }
  lines.push('value:', valueText(letter.value));
  return lines.join('\n');
}

function valueText(value: Buffer | null): string {
  if (value === null) return '(none)';
  const text = value.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const shown = value.length > showValueBytesMax ? `${value.subarray(0, showValueBytesMax).toString('utf8')}… (${value.length} bytes)` : text;
    return `(not JSON) ${maskCodeShapes(JSON.stringify(shown))}`;
  }
  return maskCodeShapes(JSON.stringify(maskGiftCardCode(parsed), null, 2));
}

/**
 * Four groups of four letters or digits, dashed, spaced or run together: a gift card code as it may be typed. Not a
 * piece of a longer dashed id (a UUID's groups are preceded or followed by a dash and more of it).
 */
const codeShape = /(?<![A-Za-z0-9-])[A-Za-z0-9]{4}[- ]?[A-Za-z0-9]{4}[- ]?[A-Za-z0-9]{4}[- ]?([A-Za-z0-9]{4})(?![A-Za-z0-9-])/g;

/**
 * Anything shaped like a gift card code, wherever it sits (a value that is not JSON, a note, an older worker's reason
 * quoting the bytes it could not read), shown as its last four characters only.
 */
export function maskCodeShapes(text: string): string {
  return text.replace(codeShape, (_, last4: string) => `****${last4.toUpperCase()}`);
}

/**
 * giftcard.issue and giftcard.redeem carry the card's code, which is money to whoever reads it: an operator's
 * screen or a pasted ticket shows its last four characters only, as the ledger stores it.
 */
export function maskGiftCardCode(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  if (typeof record.code !== 'string') return value;
  return { ...record, code: `****${giftCardLast4(record.code)}` };
}

/**
 * The message a re-drive sends: the original key, value bytes and headers, without the dead-letter headers
 * (a new failure writes its own), and with where it came from.
 */
export function redrivenMessage(letter: DeadLetter): Message {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(letter.headers)) if (!name.startsWith('dlq-')) headers[name] = value;
  headers[headerNames.dlqRedrivenFrom] = positionOf(letter);
  return { key: letter.key, value: letter.value, headers };
}

function headerText(headers: IHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
