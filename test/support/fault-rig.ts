import { createTestDatabase, deleteSuiteTopics, KafkaTestClient, ReplyTracker, uniqueTopicPrefix, type TestDatabase } from '@storecredit/testing';
import { killAllWorkers } from './worker-process';

/** What every fault suite drives its worker processes against; the suite starts the workers it needs. */
export interface FaultRig {
  db: TestDatabase;
  /** The topic prefix of this suite's own topics and consumer groups. */
  prefix: string;
  kafka: KafkaTestClient;
  replies: ReplyTracker;
  /** Kills every worker, stops the clients, drops the database, and deletes the topics and the groups named. */
  stop(extraGroupIds?: string[]): Promise<void>;
}

/** A fresh database, topics of its own on the real broker, and a client that reads every reply, event and dead letter. */
export async function startFaultRig(): Promise<FaultRig> {
  const db = await createTestDatabase();
  const prefix = uniqueTopicPrefix();
  const kafka = new KafkaTestClient(prefix);
  try {
    await kafka.start();
  } catch (error) {
    await kafka.stop().catch(() => undefined);
    await db.drop();
    throw error;
  }
  const replies = new ReplyTracker(kafka);
  return {
    db,
    prefix,
    kafka,
    replies,
    stop: async (extraGroupIds = []) => {
      replies.stop();
      await killAllWorkers();
      await kafka.stop();
      await db.drop();
      await deleteSuiteTopics(prefix, [`${prefix}.ledger-worker`, `${prefix}.observer`, ...extraGroupIds.map((group) => `${prefix}.${group}`)]);
    },
  };
}
