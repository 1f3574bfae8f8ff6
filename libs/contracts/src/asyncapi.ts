import { z } from 'zod';
import { commandBytesMax, commandSchema, deadLetterCodes, idPattern, ledgerCommandTypes, type CommandType } from './commands';
import { errorMessages } from './errors';
import { entryRecordedSchema, giftCardEventSchema, holdEventSchema, type LedgerEvent } from './events';
import { exampleCommands, exampleEvents, exampleReplies } from './examples';
import { commandKey, giftCardsKey, walletKey } from './keys';
import { replySchema } from './replies';
import { commandTypesByProducer, defaultTopicPrefix, headerNames, producers, topicNames, type Producer } from './topics';

/**
 * The published AsyncAPI 3.0 document of the Kafka contract, generated from the zod schemas (`npm run asyncapi` writes
 * it to docs/asyncapi.json; the gateway serves it at /api/asyncapi.json). Pure and deterministic: the same contract
 * gives the same document, key for key in the same order, so the committed file only changes with the contract.
 */

export type JsonSchema = z.core.JSONSchema.JSONSchema;

export interface Ref {
  $ref: string;
}

export interface AsyncApiExample {
  name: string;
  summary: string;
  headers?: Record<string, string>;
  payload: unknown;
}

export interface AsyncApiMessage {
  name: string;
  title: string;
  summary: string;
  description?: string;
  contentType: string;
  headers: JsonSchema;
  payload: { schemaFormat: string; schema: JsonSchema };
  correlationId?: { description: string; location: string };
  bindings: { kafka: { key: JsonSchema; bindingVersion: string } };
  examples: AsyncApiExample[];
}

export interface AsyncApiChannel {
  address: string;
  title: string;
  description: string;
  messages: Record<string, Ref>;
}

export interface AsyncApiOperation {
  action: 'send' | 'receive';
  channel: Ref;
  title: string;
  summary: string;
  messages: Ref[];
  reply?: { channel: Ref; messages: Ref[] };
}

export interface AsyncApiDocument {
  asyncapi: '3.0.0';
  info: { title: string; version: string; description: string };
  defaultContentType: string;
  servers: Record<string, { host: string; protocol: string; title: string; description: string }>;
  channels: Record<string, AsyncApiChannel>;
  operations: Record<string, AsyncApiOperation>;
  components: { messages: Record<string, AsyncApiMessage> };
}

/** Payloads are zod's JSON Schema output, which the AsyncAPI parser validates as draft-07. */
const payloadFormat = 'application/schema+json;version=draft-07';
const kafkaBindingVersion = '0.5.0';
/** The event sink's header naming an event's type (apps/ledger-worker/src/outbox/event-sink.ts). */
const eventTypeHeader = 'event-type';

/** One line per command type: what it does. The fields and their rules are the schema's. */
const commandSummaries: Record<CommandType, string> = {
  'balance.add': 'Staff add credit (a balance_added entry; a paid top-up may also earn a bonus_credit).',
  'balance.credit': 'A service credits the wallet (a balance_credit entry).',
  'balance.deduct': 'Staff deduct credit (a balance_deducted entry), never below zero.',
  'balance.debit': 'A service debits the wallet (a balance_debit entry), never below zero.',
  'balance.pay': "Pays min(available, amountOwed, amountRequested, what the sale leaves) of a sale (used_for_payment).",
  'balance.refund': 'Credits a refund of a balance payment (paymentCommandId) or of a sale (saleId + saleAmount), once per refundId.',
  'giftcard.issue': 'Issues a gift card (event giftcard.issued); the code is stored only as a hash and its last four characters.',
  'giftcard.void': 'Voids an unredeemed gift card (event giftcard.voided).',
  'giftcard.redeem': "Redeems a gift card into the client's wallet (a gift_card_redeemed entry).",
  'balance.hold': 'Reserves balance for a sale (event hold.placed); its holdId is holdIdOf(businessId, commandId).',
  'balance.capture': 'Captures an active hold, all or part (a used_for_payment entry, event hold.captured); the rest is released.',
  'balance.release': 'Releases an active hold (event hold.released).',
  'balance.expire-hold': "The ledger's own: ends a hold past its expiry (event hold.expired).",
  'balance.reverse': 'Undoes one staff add or deduct, at most once (a balance_reversed entry).',
  'balance.expire-credit': "The ledger's own: expires what is left of a lot past its expiry (a balance_expired entry).",
};

const eventSummaries: Record<LedgerEvent['type'], string> = {
  'wallet.entry_recorded': "One ledger entry: `sequence` counts the wallet's entries from 1 without gaps.",
  'giftcard.issued': 'A gift card was issued.',
  'giftcard.voided': 'A gift card was voided.',
  'giftcard.redeemed': 'A gift card was redeemed into a wallet.',
  'hold.placed': 'A hold reserved balance for a sale.',
  'hold.captured': "A hold was captured; the capture's used_for_payment entry comes just before it.",
  'hold.released': 'A hold was released.',
  'hold.expired': 'A hold ended unused past its expiry.',
};

const channelIds: Record<Producer, string> = { gateway: 'commandsGateway', checkout: 'commandsCheckout', refund: 'commandsRefund' };

const messageRef = (id: string): Ref => ({ $ref: `#/components/messages/${id}` });
const channelRef = (id: string): Ref => ({ $ref: `#/channels/${id}` });
const channelMessageRef = (channelId: string, id: string): Ref => ({ $ref: `#/channels/${channelId}/messages/${id}` });

/** zod's JSON Schema of a message, without `$schema`: the message's schemaFormat says the draft. */
function payloadOf(schema: z.ZodType, io: 'input' | 'output'): AsyncApiMessage['payload'] {
  const { $schema: _draft, ...json } = z.toJSONSchema(schema, { target: 'draft-07', io });
  return { schemaFormat: payloadFormat, schema: json };
}

/** An id of the contract inside a key pattern: the key's parts are ids, which never hold '/'. */
const idPart = idPattern.source.replace(/^\^/, '').replace(/\$$/, '');

const keys = {
  wallet: {
    type: 'string',
    pattern: `^${idPart}/${idPart}/[A-Z]{3}$`,
    description:
      "The wallet key businessId/clientId/currency (walletKey in keys.ts): a wallet's commands and events share it, so Kafka keeps them in order on one partition. A command under another key is dead-lettered (wrong_key).",
    examples: [walletKey('salon-1', 'client-42', 'AED')],
  },
  giftCards: {
    type: 'string',
    pattern: `^${idPart}/gift-cards$`,
    description: "businessId/gift-cards (giftCardsKey in keys.ts): a business's gift card issues and voids stay in order.",
    examples: [giftCardsKey('salon-1')],
  },
  commandId: { type: 'string', pattern: idPattern.source, description: 'The command id of the command this answers.' },
  original: { type: 'string', description: "The dead command's own key, unchanged (absent when it had none)." },
} satisfies Record<string, JsonSchema>;

const traceHeaders: Record<string, JsonSchema> = {
  traceparent: {
    type: 'string',
    pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
    description: 'Optional. W3C Trace Context: the trace the message belongs to.',
  },
  tracestate: { type: 'string', description: 'Optional. W3C Trace Context: vendor-specific trace state.' },
};

/** Set by `npm run dlq -- redrive` on a dead letter it sends back to its topic; kept if it dead-letters again. */
const redrivenFromHeader: Record<string, JsonSchema> = {
  [headerNames.dlqRedrivenFrom]: {
    type: 'string',
    pattern: '^[0-9]+:[0-9]+$',
    description: 'Only on a re-driven command: the partition:offset of the dead letter it was re-driven from.',
  },
};

const headers = {
  command: {
    type: 'object',
    properties: {
      [headerNames.correlationId]: {
        type: 'string',
        description: "Optional. Copied onto the reply's header and correlationId, so a requester can match the reply; without it the reply carries the command id.",
      },
      ...traceHeaders,
      ...redrivenFromHeader,
    },
  },
  reply: {
    type: 'object',
    properties: {
      [headerNames.correlationId]: { type: 'string', description: "The command's correlation-id header, or its command id when it had none." },
      ...traceHeaders,
    },
    required: [headerNames.correlationId],
  },
  event: {
    type: 'object',
    properties: { [eventTypeHeader]: { type: 'string', description: "The event's type, to filter without parsing the payload." }, ...traceHeaders },
    required: [eventTypeHeader],
  },
  deadLetter: {
    type: 'object',
    description: "The dead command's own headers are kept; these are added.",
    properties: {
      [headerNames.dlqCode]: { type: 'string', enum: [...deadLetterCodes], description: 'Why the message can never be applied.' },
      [headerNames.dlqReason]: { type: 'string', description: 'The same, in a sentence naming the field or the limit.' },
      [headerNames.dlqOriginalTopic]: { type: 'string', description: 'The topic it was consumed from.' },
      [headerNames.dlqOriginalPartition]: { type: 'string', pattern: '^[0-9]+$', description: 'Its partition there.' },
      [headerNames.dlqOriginalOffset]: { type: 'string', pattern: '^[0-9]+$', description: 'Its offset there.' },
      [headerNames.dlqFailedAt]: { type: 'string', format: 'date-time', description: 'When the worker dead-lettered it.' },
      ...redrivenFromHeader,
    },
    required: [
      headerNames.dlqCode,
      headerNames.dlqReason,
      headerNames.dlqOriginalTopic,
      headerNames.dlqOriginalPartition,
      headerNames.dlqOriginalOffset,
      headerNames.dlqFailedAt,
    ],
  },
} satisfies Record<string, JsonSchema>;

const correlationId = { description: 'The reply echoes it.', location: `$message.header#/${headerNames.correlationId}` };

function kafkaKey(key: JsonSchema): AsyncApiMessage['bindings'] {
  return { kafka: { key, bindingVersion: kafkaBindingVersion } };
}

function commandMessages(): Record<string, AsyncApiMessage> {
  const messages: Record<string, AsyncApiMessage> = {};
  for (const schema of commandSchema.options) {
    const type = schema.shape.type.value;
    const carriedBy = producers.filter((producer) => commandTypesByProducer[producer].includes(type));
    const examples = Object.entries(exampleCommands).filter(([, command]) => command.type === type);
    messages[type] = {
      name: type,
      title: `Command ${type}`,
      summary: commandSummaries[type],
      description: ledgerCommandTypes.includes(type)
        ? 'Applied in-process by the ledger\'s own sweep; no topic carries it (sent to a command topic, it is dead-lettered wrong_topic).'
        : `Carried by ${carriedBy.map((producer) => `the ${producer} topic`).join(', ')}. At most ${commandBytesMax} bytes; the commandId is the idempotency key.`,
      contentType: 'application/json',
      headers: headers.command,
      payload: payloadOf(schema, 'input'),
      correlationId,
      bindings: kafkaKey('clientId' in schema.shape ? keys.wallet : keys.giftCards),
      examples: examples.map(([name, command]) => ({
        name,
        summary: `key ${commandKey(command)}`,
        headers: { [headerNames.correlationId]: command.commandId },
        payload: command,
      })),
    };
  }
  return messages;
}

function replyMessage(): AsyncApiMessage {
  const codes = Object.entries(errorMessages).map(([code, message]) => `- \`${code}\`: ${message}`);
  return {
    name: 'reply',
    title: 'Reply',
    summary: 'The outcome of one delivered command: applied, or rejected with an error code. A redelivery gets the same reply with replayed: true.',
    description: ['Error codes of a rejected command:', ...codes].join('\n'),
    contentType: 'application/json',
    headers: headers.reply,
    payload: payloadOf(replySchema, 'output'),
    correlationId,
    bindings: kafkaKey(keys.commandId),
    examples: Object.entries(exampleReplies).map(([name, reply]) => ({
      name,
      summary: `key ${reply.commandId}`,
      headers: { [headerNames.correlationId]: reply.correlationId },
      payload: reply,
    })),
  };
}

/** Each event type as its own message: the gift card and hold schemas cover several types, narrowed here to one. */
function eventSchemas(): [LedgerEvent['type'], z.ZodType][] {
  return [
    [entryRecordedSchema.shape.type.value, entryRecordedSchema],
    ...giftCardEventSchema.shape.type.options.map((type): [LedgerEvent['type'], z.ZodType] => [type, giftCardEventSchema.extend({ type: z.literal(type) })]),
    ...holdEventSchema.shape.type.options.map((type): [LedgerEvent['type'], z.ZodType] => [type, holdEventSchema.extend({ type: z.literal(type) })]),
  ];
}

function eventMessages(): Record<string, AsyncApiMessage> {
  const messages: Record<string, AsyncApiMessage> = {};
  for (const [type, schema] of eventSchemas()) {
    const byBusiness = type.startsWith('giftcard.');
    messages[type] = {
      name: type,
      title: `Event ${type}`,
      summary: eventSummaries[type],
      description: 'At least once: drop a repeat by eventId.',
      contentType: 'application/json',
      headers: headers.event,
      payload: payloadOf(schema, 'output'),
      bindings: kafkaKey(byBusiness ? keys.giftCards : keys.wallet),
      examples: Object.entries(exampleEvents)
        .filter(([, event]) => event.type === type)
        .map(([name, event]) => ({
          name,
          summary: `key ${'clientId' in event ? walletKey(event.businessId, event.clientId, event.currency) : giftCardsKey(event.businessId)}`,
          headers: { [eventTypeHeader]: event.type },
          payload: event,
        })),
    };
  }
  return messages;
}

function deadLetterMessage(topics: ReturnType<typeof topicNames>): AsyncApiMessage {
  const example = exampleCommands.refundOfBalancePayment;
  return {
    name: 'deadLetter',
    title: 'Dead letter',
    summary: 'A command message that can never be applied, with its original key, bytes and headers, and why.',
    description: `dlq-code is one of ${deadLetterCodes.map((code) => `\`${code}\``).join(', ')}. The partition moves on; nothing of it was applied.`,
    contentType: 'application/octet-stream',
    headers: headers.deadLetter,
    payload: {
      schemaFormat: payloadFormat,
      schema: { description: 'The original message value, byte for byte: usually a command in JSON, but possibly not JSON at all.' },
    },
    bindings: kafkaKey(keys.original),
    examples: [
      {
        name: 'refundOnCheckoutTopic',
        summary: `key ${commandKey(example)}: a balance.refund sent on the checkout topic, which may not carry it`,
        headers: {
          [headerNames.correlationId]: example.commandId,
          [headerNames.dlqCode]: 'wrong_topic',
          [headerNames.dlqReason]: `balance.refund may not be sent on ${topics.commands.checkout}`,
          [headerNames.dlqOriginalTopic]: topics.commands.checkout,
          [headerNames.dlqOriginalPartition]: '3',
          [headerNames.dlqOriginalOffset]: '1842',
          [headerNames.dlqFailedAt]: '2026-11-25T10:02:00.000Z',
        },
        payload: example,
      },
    ],
  };
}

function channels(topics: ReturnType<typeof topicNames>): Record<string, AsyncApiChannel> {
  const commandChannels = Object.fromEntries(
    producers.map((producer): [string, AsyncApiChannel] => [
      channelIds[producer],
      {
        address: topics.commands[producer],
        title: `Commands from ${producer}`,
        description: `The ${producer} producer's command topic. Key: the command's (see each message). The worker refuses other command types here (wrong_topic).`,
        messages: Object.fromEntries(commandTypesByProducer[producer].map((type) => [type, messageRef(type)])),
      },
    ]),
  );
  return {
    ...commandChannels,
    replies: {
      address: topics.replies,
      title: 'Replies',
      description: 'One reply per delivered command, keyed by command id.',
      messages: { reply: messageRef('reply') },
    },
    events: {
      address: topics.events,
      title: 'Events',
      description: "One event per ledger entry and per hold placed or ended, in each wallet's order; gift card events in each business's order.",
      messages: Object.fromEntries(eventSchemas().map(([type]) => [type, messageRef(type)])),
    },
    deadLetter: {
      address: topics.deadLetter,
      title: 'Dead letters',
      description: 'Command messages that can never be applied.',
      messages: { deadLetter: messageRef('deadLetter') },
    },
  };
}

function operations(channelMap: Record<string, AsyncApiChannel>): Record<string, AsyncApiOperation> {
  const messagesOf = (channelId: string) => Object.keys(channelMap[channelId].messages).map((id) => channelMessageRef(channelId, id));
  const receives = producers.map((producer): [string, AsyncApiOperation] => {
    const channelId = channelIds[producer];
    return [
      `receive${channelId.charAt(0).toUpperCase()}${channelId.slice(1)}`,
      {
        action: 'receive',
        channel: channelRef(channelId),
        title: `Apply commands from ${producer}`,
        summary: 'The worker applies each command once and answers it on the replies topic, or dead-letters it.',
        messages: messagesOf(channelId),
        reply: { channel: channelRef('replies'), messages: messagesOf('replies') },
      },
    ];
  });
  return {
    ...Object.fromEntries(receives),
    sendEvents: {
      action: 'send',
      channel: channelRef('events'),
      title: 'Publish events',
      summary: 'The outbox relay publishes what each committed command changed.',
      messages: messagesOf('events'),
    },
    sendDeadLetters: {
      action: 'send',
      channel: channelRef('deadLetter'),
      title: 'Dead-letter commands',
      summary: 'A command that can never be applied goes here, and its partition moves on.',
      messages: messagesOf('deadLetter'),
    },
  };
}

/** The AsyncAPI document of the contract, from the point of view of the ledger (what it receives and sends). */
export function asyncApiDocument(): AsyncApiDocument {
  const topics = topicNames(defaultTopicPrefix);
  const channelMap = channels(topics);
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'storecredit ledger',
      version: '1.0.0',
      description: [
        'The Kafka contract of the store-credit ledger: the commands it applies, its replies, its events and its dead letters.',
        `Every message is JSON with schemaVersion 1. Topic names here carry the default prefix \`${defaultTopicPrefix}\`; an environment sets its own with KAFKA_TOPIC_PREFIX (\`<prefix>.events.v1\`).`,
        'Amounts are decimal strings, never numbers. Generated from the zod schemas of libs/contracts; the schemas also check what JSON Schema cannot say (an amount fits its currency, an id is not the ledger\'s own).',
      ].join('\n\n'),
    },
    defaultContentType: 'application/json',
    servers: {
      kafka: {
        host: 'kafka.example.internal:9092',
        protocol: 'kafka',
        title: 'Kafka',
        description: 'A placeholder: the brokers are those of KAFKA_BROKERS (host:port, comma-separated).',
      },
    },
    channels: channelMap,
    operations: operations(channelMap),
    components: {
      messages: { ...commandMessages(), reply: replyMessage(), ...eventMessages(), deadLetter: deadLetterMessage(topics) },
    },
  };
}

/** The document as docs/asyncapi.json holds it. */
export function asyncApiJson(): string {
  return `${JSON.stringify(asyncApiDocument(), null, 2)}\n`;
}
