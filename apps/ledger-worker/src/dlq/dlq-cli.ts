import 'reflect-metadata';
import { Logger, type LogLevel } from '@nestjs/common';
import { defaultTopicPrefix, topicNames } from '@storecredit/contracts';
import { AppLogger, createKafka, defaultKafkaBrokers } from '@storecredit/messaging';
import { listCommand, showCommand, type DlqContext } from './dlq-commands';
import { DlqError, parseDlqArgs, usage, UsageError, type DlqCommand } from './dlq-args';
import { redriveCommand } from './redrive';

/** kafkajs's warnings and errors go to stderr: stdout carries the command's answer alone, for a pipe or a file. */
class StderrLogger extends AppLogger {
  protected override printMessages(messages: unknown[], context?: string, logLevel?: LogLevel, _stream?: 'stdout' | 'stderr', errorStack?: unknown): void {
    super.printMessages(messages, context, logLevel, 'stderr', errorStack);
  }
}

Logger.overrideLogger(new StderrLogger());
Logger.overrideLogger(['error', 'warn']);

const output = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
};

/** The dead-letter tool: exit 0 done, 1 failed, 2 bad arguments. README.md, "Dead letters". */
async function main(argv: readonly string[]): Promise<number> {
  let command: DlqCommand | 'help';
  try {
    command = parseDlqArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.err(`dlq: ${error.message}\n${usage}`);
    return 2;
  }
  if (command === 'help') {
    output.out(usage);
    return 0;
  }
  const prefix = process.env.KAFKA_TOPIC_PREFIX || defaultTopicPrefix;
  const kafka = createKafka(process.env.KAFKA_BROKERS || defaultKafkaBrokers, 'storecredit-dlq');
  const admin = kafka.admin();
  await admin.connect();
  try {
    const context: DlqContext = { kafka, admin, prefix, topics: topicNames(prefix), output };
    return await run(context, command);
  } catch (error) {
    if (error instanceof DlqError) {
      output.err(`dlq: ${error.message}`);
      return 1;
    }
    if (!(error instanceof UsageError)) throw error;
    output.err(`dlq: ${error.message}`);
    return 2;
  } finally {
    await admin.disconnect();
  }
}

function run(context: DlqContext, command: DlqCommand): Promise<number> {
  if (command.name === 'list') return listCommand(context, command.filter, command.limit);
  if (command.name === 'show') return showCommand(context, command.partition, command.offset);
  return redriveCommand(context, command);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // The broker unreachable or refusing is the operator's to fix: its message alone; anything else is our bug.
    const brokerError = error instanceof Error && error.name.startsWith('KafkaJS');
    output.err(`dlq: ${error instanceof Error ? (brokerError ? error.message : (error.stack ?? error.message)) : String(error)}`);
    process.exit(1);
  },
);
