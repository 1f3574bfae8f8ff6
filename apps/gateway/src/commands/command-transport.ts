import type { Command, Reply } from '@storecredit/contracts';

/**
 * How the gateway hands a command to the ledger: Kafka request-reply in production, the same command
 * handlers in-process in the embedded mode. Null means no reply came in time: the command may still apply.
 */
export abstract class CommandTransport {
  abstract send(command: Command, timeoutMs: number): Promise<Reply | null>;
}
