import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type IHeaders } from 'kafkajs';

export interface ReadRecord {
  topic: string;
  partition: number;
  offset: bigint;
  key: string | null;
  value: Buffer | null;
  headers: IHeaders;
}

/**
 * Reads the given topics from the beginning up to their end offsets of now, with a consumer group of its
 * own, and answers the records in partition order. On a compacted topic the last offsets may have been
 * removed, so reading also ends once nothing arrived for `idleMs` after the group joined.
 */
export async function readTopicsToEnd(
  topics: string[],
  options: { name?: string; idleMs?: number; timeoutMs?: number } = {},
): Promise<ReadRecord[]> {
  const name = options.name ?? 'topic-reader';
  const kafka = new Kafka({
    clientId: name,
    brokers: process.env.KAFKA_BROKERS!.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, bigint>();
  try {
    for (const topic of topics)
      for (const p of await admin.fetchTopicOffsets(topic))
        ends.set(`${topic}:${p.partition}`, BigInt(p.high));
  } finally {
    await admin.disconnect();
  }
  const pending = new Set([...ends].filter(([, high]) => high > 0n).map(([key]) => key));
  const records: ReadRecord[] = [];
  if (pending.size === 0) return records;
  const consumer = kafka.consumer({ groupId: `${name}-${randomUUID()}`, maxWaitTimeInMs: 100 });
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  let idle: NodeJS.Timeout | undefined;
  const idleMs = options.idleMs ?? 3000;
  const armIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(done, idleMs);
  };
  consumer.on(consumer.events.GROUP_JOIN, armIdle);
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const key = `${topic}:${partition}`;
      if (!pending.has(key)) return;
      armIdle();
      records.push({
        topic,
        partition,
        offset: BigInt(message.offset),
        key: message.key?.toString() ?? null,
        value: message.value,
        headers: message.headers ?? {},
      });
      if (BigInt(message.offset) + 1n >= (ends.get(key) ?? 0n)) pending.delete(key);
      if (pending.size === 0) done();
    },
  });
  const timeout = setTimeout(done, options.timeoutMs ?? 60_000);
  await finished;
  clearTimeout(timeout);
  clearTimeout(idle);
  await consumer.disconnect();
  return records.sort((a, b) =>
    a.topic === b.topic
      ? a.partition - b.partition || Number(a.offset - b.offset)
      : a.topic.localeCompare(b.topic),
  );
}
