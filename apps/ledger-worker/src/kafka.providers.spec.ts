import type { Kafka, Producer } from 'kafkajs';
import { WorkerProducer } from './kafka.providers';

/** A stand-in for a kafkajs producer: counts its connects and disconnects, and fails the sends it is told to. */
class FakeProducer {
  connects = 0;
  disconnects = 0;
  failNext = 0;

  constructor(readonly id: number) {}

  async connect(): Promise<void> {
    this.connects++;
  }

  async disconnect(): Promise<void> {
    this.disconnects++;
  }

  async send(): Promise<number> {
    // As kafkajs does: a producer that never connected refuses to send.
    if (this.connects === this.disconnects) throw new Error(`producer ${this.id} is disconnected`);
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error(`send on producer ${this.id} failed`);
    }
    return this.id;
  }
}

function fakeKafka(): { kafka: Kafka; created: FakeProducer[] } {
  const created: FakeProducer[] = [];
  const kafka = { producer: () => created[created.push(new FakeProducer(created.length + 1)) - 1] } as unknown as Kafka;
  return { kafka, created };
}

const sendOn = (producer: Producer) => (producer as unknown as FakeProducer).send();

describe(WorkerProducer.name, () => {
  it('replaces a producer whose send failed before passing the failure on, and sends on the new one', async () => {
    const { kafka, created } = fakeKafka();
    const output = new WorkerProducer(kafka);
    await output.connect();
    const [, events] = created;
    events.failNext = 1;

    await expect(output.send('events', sendOn)).rejects.toThrow('send on producer 2 failed');
    expect(events.disconnects).toBe(1);
    const fresh = created[2];
    expect(fresh.connects).toBe(1);
    await expect(output.send('events', sendOn)).resolves.toBe(fresh.id);
    // The other role's producer is left alone.
    expect(created[0].disconnects).toBe(0);
    await expect(output.send('replies', sendOn)).resolves.toBe(1);
  });

  it('replaces a producer once when several sends on it fail together', async () => {
    const { kafka, created } = fakeKafka();
    const output = new WorkerProducer(kafka);
    await output.connect();
    const [replies] = created;
    replies.failNext = 2;

    const results = await Promise.allSettled([output.send('replies', sendOn), output.send('replies', sendOn)]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(created).toHaveLength(3);
    expect(replies.disconnects).toBe(1);
    await expect(output.send('replies', sendOn)).resolves.toBe(3);
  });

  it('keeps trying with new producers while the broker refuses to connect them', async () => {
    const { kafka, created } = fakeKafka();
    const output = new WorkerProducer(kafka);
    await output.connect();
    created[1].failNext = 1;
    const refusing = jest.spyOn(FakeProducer.prototype, 'connect').mockRejectedValue(new Error('broker away'));
    await expect(output.send('events', sendOn)).rejects.toThrow('send on producer 2 failed');
    await expect(output.send('events', sendOn)).rejects.toThrow('producer 3 is disconnected');
    refusing.mockRestore();
    await expect(output.send('events', sendOn)).rejects.toThrow('producer 4 is disconnected');
    await expect(output.send('events', sendOn)).resolves.toBe(5);
    expect(created.slice(1).map((producer) => producer.disconnects)).toEqual([1, 1, 1, 0]);
  });
});
