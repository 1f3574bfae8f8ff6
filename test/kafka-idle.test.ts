import { createHook } from 'node:async_hooks';
import { KafkaTestClient, uniqueTopicPrefix } from '@storecredit/testing';

/**
 * kafkajs 2.2.4 re-arms a 1 ms timer on every broker connection for as long as the connection lives, whether or not
 * a request waits (https://github.com/tulios/kafkajs/issues/1704): an idle worker woke its event loop thousands of
 * times a second, the CPU an idle ledger burned and most of what a command cost at low load. patches/ carries the
 * fix (the check is scheduled only while a request is pending or the broker throttles us), applied by patch-package
 * on `npm ci`. An idle producer and consumer now create a handful of timers a second: heartbeats and long polls.
 */
describe('an idle Kafka client', () => {
  let client: KafkaTestClient;

  beforeAll(async () => {
    client = new KafkaTestClient(uniqueTopicPrefix());
    await client.start();
  });

  afterAll(async () => {
    await client?.stop();
  });

  it('does not spin timers while nothing is sent', async () => {
    // A request each way first, so that every connection has fulfilled one (the loop started on the first response).
    await client.sendRaw('gateway', Buffer.from('{}'), 'warm-up');
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    let timers = 0;
    const hook = createHook({
      init(_id, type) {
        if (type === 'Timeout') timers += 1;
      },
    });
    hook.enable();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    hook.disable();

    // Before the fix: about 1,000 a second per connection (6,000 and more here). After: a few dozen at most.
    expect(timers).toBeLessThan(100);
  });
});
