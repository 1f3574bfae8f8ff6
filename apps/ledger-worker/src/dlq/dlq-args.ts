import { parseArgs } from 'node:util';

export const usage = [
  'usage: npm run dlq -- <command> [options]',
  '  list [--code C] [--since T] [--limit N]           one line per dead letter',
  '  show <partition:offset | offset>                  one dead letter: headers and value',
  '  redrive [--code C] [--since T] [--dry-run] [--yes] [--again]',
  '                                                    send dead letters back to their original topics',
  '  --code C   only dead letters of this code (malformed_json, schema_violation, wrong_key, ...)',
  '  --since T  only dead letters that failed at or after T, an ISO 8601 time (2026-12-01T00:00:00Z)',
  '  --limit N  the N most recent only',
  '  --again    re-drive also what an earlier redrive sent',
  'env: KAFKA_BROKERS (127.0.0.1:9092), KAFKA_TOPIC_PREFIX (storecredit)',
].join('\n');

/** Which dead letters a command looks at. */
export interface DeadLetterFilter {
  code?: string;
  since?: Date;
}

export type DlqCommand =
  | { name: 'list'; filter: DeadLetterFilter; limit?: number }
  | { name: 'show'; partition?: number; offset: string }
  | { name: 'redrive'; filter: DeadLetterFilter; dryRun: boolean; yes: boolean; again: boolean };

/** Bad arguments: the CLI prints the message and the usage, and exits 2. */
export class UsageError extends Error {}

/** A situation the operator can act on (a wrong prefix, another run holding the partitions): its message alone, exit 1. */
export class DlqError extends Error {}

const options = {
  code: { type: 'string' },
  since: { type: 'string' },
  limit: { type: 'string' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean' },
  again: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Options each command accepts; any other is refused rather than silently ignored. */
const allowed: Record<DlqCommand['name'], readonly string[]> = {
  list: ['code', 'since', 'limit'],
  show: [],
  redrive: ['code', 'since', 'dry-run', 'yes', 'again'],
};

export function parseDlqArgs(argv: readonly string[]): DlqCommand | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const [name = 'list', ...rest] = positionals;
  if (!(name in allowed)) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  const command = name as DlqCommand['name'];
  const refused = Object.keys(values).filter((option) => !allowed[command].includes(option));
  if (refused.length > 0) throw new UsageError(`${command} takes no --${refused[0]}`);
  if (command === 'show') {
    if (rest.length !== 1) throw new UsageError('show takes one argument: <partition:offset> or <offset>');
    return { name: 'show', ...parsePosition(rest[0]) };
  }
  if (rest.length > 0) throw new UsageError(`${command} takes no argument ${JSON.stringify(rest[0])}`);
  const filter = parseFilter(values.code, values.since);
  if (command === 'list') return { name: 'list', filter, limit: values.limit === undefined ? undefined : parseLimit(values.limit) };
  return { name: 'redrive', filter, dryRun: values['dry-run'] ?? false, yes: values.yes ?? false, again: values.again ?? false };
}

function parseFilter(code: string | undefined, since: string | undefined): DeadLetterFilter {
  if (code !== undefined && !/^[a-z_]+$/.test(code)) throw new UsageError(`--code must be a code such as malformed_json, got ${JSON.stringify(code)}`);
  if (since === undefined) return { code };
  // Date.parse accepts loose forms (`12/1`); an operator's filter is read one way only.
  const isoTime = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
  const time = new Date(since);
  if (!isoTime.test(since) || Number.isNaN(time.getTime())) {
    throw new UsageError(`--since must be an ISO 8601 time such as 2026-12-01T09:00:00Z, got ${JSON.stringify(since)}`);
  }
  return { code, since: time };
}

function parseLimit(raw: string): number {
  const limit = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(limit) || limit <= 0) throw new UsageError(`--limit must be a positive integer, got ${JSON.stringify(raw)}`);
  return limit;
}

function parsePosition(raw: string): { partition?: number; offset: string } {
  const match = /^(?:(\d+):)?(\d+)$/.exec(raw);
  if (!match) throw new UsageError(`expected <partition:offset> or <offset>, such as 0:42, got ${JSON.stringify(raw)}`);
  const offset = BigInt(match[2]).toString();
  return match[1] === undefined ? { offset } : { partition: Number(match[1]), offset };
}
