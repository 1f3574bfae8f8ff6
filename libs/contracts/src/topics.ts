import type { CommandType } from './commands';

/** The producers that own a command topic of their own. */
export type Producer = 'gateway' | 'checkout' | 'refund';
export const producers: readonly Producer[] = ['gateway', 'checkout', 'refund'];

export interface TopicNames {
  commands: Record<Producer, string>;
  events: string;
  replies: string;
  deadLetter: string;
}

export const defaultTopicPrefix = 'storecredit';

/** Topic names; a prefix lets tests and environments share one broker without sharing topics. */
export function topicNames(prefix: string = defaultTopicPrefix): TopicNames {
  return {
    commands: {
      gateway: `${prefix}.commands.gateway.v1`,
      checkout: `${prefix}.commands.checkout.v1`,
      refund: `${prefix}.commands.refund.v1`,
    },
    events: `${prefix}.events.v1`,
    replies: `${prefix}.replies.v1`,
    deadLetter: `${prefix}.dead-letter.v1`,
  };
}

/**
 * Which command types each producer's topic may carry. No topic carries `balance.expire-hold` or
 * `balance.expire-credit`: only the ledger's own sweep sends them, in-process, so nobody can send it before a hold is due and have that refusal stored under the
 * sweep's command id.
 *: the checkout service can pay, never add balance.
 * The gateway serves staff, who do everything through permissions checked at the gateway.
 */
export const commandTypesByProducer: Record<Producer, readonly CommandType[]> = {
  gateway: [
    'balance.add',
    'balance.credit',
    'balance.deduct',
    'balance.debit',
    'balance.pay',
    'balance.refund',
    'giftcard.issue',
    'giftcard.void',
    'giftcard.redeem',
    'balance.hold',
    'balance.capture',
    'balance.release',
    'balance.reverse',
  ],
  checkout: ['balance.pay', 'balance.hold', 'balance.capture', 'balance.release'],
  refund: ['balance.refund'],
};

/** Headers the request-reply, dead-letter and tracing flows use. */
export const headerNames = {
  correlationId: 'correlation-id',
  /** W3C trace context (https://www.w3.org/TR/trace-context/), only when tracing is on: on commands, replies and events. */
  traceParent: 'traceparent',
  traceState: 'tracestate',
  dlqReason: 'dlq-reason',
  dlqCode: 'dlq-code',
  dlqOriginalTopic: 'dlq-original-topic',
  dlqOriginalPartition: 'dlq-original-partition',
  dlqOriginalOffset: 'dlq-original-offset',
  dlqFailedAt: 'dlq-failed-at',
  /** Set by the re-drive tool (`npm run dlq -- redrive`) on a message it sends back: `<partition>:<offset>` of its dead letter. */
  dlqRedrivenFrom: 'dlq-redriven-from',
} as const;
