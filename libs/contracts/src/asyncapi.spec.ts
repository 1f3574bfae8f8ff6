import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { asyncApiDocument, asyncApiJson, type AsyncApiMessage } from './asyncapi';
import { commandKey } from './keys';
import { commandSchema, commandTypes, deadLetterCodes, parseCommand } from './commands';
import { eventSchema } from './events';
import { exampleCommands, exampleEvents, exampleReplies } from './examples';
import { replySchema } from './replies';
import { commandTypesByProducer, headerNames, topicNames } from './topics';

const committedPath = resolve(__dirname, '../../../docs/asyncapi.json');
const eventTypes = eventSchema.options.flatMap((option) => {
  const type = option.shape.type;
  return 'options' in type ? type.options : [type.value];
});

describe(asyncApiDocument.name, () => {
  const document = asyncApiDocument();
  const messages = document.components.messages;

  it('is a valid AsyncAPI 3.0 document: the parser reports no error', async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document));
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === DiagnosticSeverity.Error);
    expect(errors.map((error) => `${error.path.join('.')}: ${error.message}`)).toEqual([]);
    expect(parsed?.version()).toBe('3.0.0');
    expect(parsed?.channels().all().map((channel) => channel.address()).sort()).toEqual(
      [...Object.values(topicNames().commands), topicNames().replies, topicNames().events, topicNames().deadLetter].sort(),
    );
  });

  it('names every command type, the reply, every event type and the dead letter', () => {
    expect(Object.keys(messages).sort()).toEqual([...commandTypes, 'reply', ...eventTypes, 'deadLetter'].sort());
  });

  it('gives each command topic exactly the command types its producer may send', () => {
    expect(Object.keys(document.channels.commandsGateway.messages)).toEqual(commandTypesByProducer.gateway);
    expect(Object.keys(document.channels.commandsCheckout.messages)).toEqual(commandTypesByProducer.checkout);
    expect(Object.keys(document.channels.commandsRefund.messages)).toEqual(commandTypesByProducer.refund);
  });

  it('puts every example of examples.ts in its message, and each is valid by the contract', () => {
    const shown = (ids: string[]) => ids.flatMap((id) => messages[id].examples.map((example) => example.payload));
    expect(shown([...commandTypes])).toEqual(expect.arrayContaining(Object.values(exampleCommands)));
    expect(shown(['reply'])).toEqual(Object.values(exampleReplies));
    expect(shown(eventTypes)).toEqual(expect.arrayContaining(Object.values(exampleEvents)));
    for (const [name, command] of Object.entries(exampleCommands)) expect({ name, parsed: parseCommand(command).ok }).toEqual({ name, parsed: true });
    for (const reply of Object.values(exampleReplies)) expect(replySchema.parse(reply)).toEqual(reply);
    for (const event of Object.values(exampleEvents)) expect(eventSchema.parse(event)).toEqual(event);
  });

  it("shows each example under the message of its own type, keyed as the message's key schema says", () => {
    for (const [id, message] of Object.entries(messages)) {
      for (const example of message.examples) {
        const payload = example.payload as { type?: string };
        if (id === 'reply') expect(replySchema.safeParse(payload).success).toBe(true);
        else if (id === 'deadLetter') expect(commandSchema.safeParse(payload).success).toBe(true);
        else expect({ id, type: payload.type }).toEqual({ id, type: id });
      }
    }
    for (const command of Object.values(exampleCommands)) {
      expect(commandKey(command)).toMatch(new RegExp(keyPattern(messages[command.type])));
    }
  });

  it('lists every dead-letter header and code', () => {
    const deadLetterHeaders = messages.deadLetter.headers;
    const dlqHeaders = Object.values(headerNames).filter((name) => name.startsWith('dlq-'));
    // Every header the worker adds is required; the re-drive tool's mark is there only on what was re-driven.
    const added = dlqHeaders.filter((name) => name !== headerNames.dlqRedrivenFrom);
    expect([...(deadLetterHeaders.required ?? [])].sort()).toEqual(added.sort());
    expect(Object.keys(deadLetterHeaders.properties ?? {}).sort()).toEqual(dlqHeaders.sort());
    expect(deadLetterHeaders.properties?.[headerNames.dlqCode]).toMatchObject({ enum: [...deadLetterCodes] });
  });

  it('equals docs/asyncapi.json, the committed document', () => {
    const committed = readFileSync(committedPath, 'utf8');
    if (committed !== asyncApiJson()) throw new Error('docs/asyncapi.json differs from what the contract generates: run npm run asyncapi');
  });
});

function keyPattern(message: AsyncApiMessage): string {
  const pattern = message.bindings.kafka.key.pattern;
  if (pattern === undefined) throw new Error(`message ${message.name} has a key without a pattern`);
  return pattern;
}
