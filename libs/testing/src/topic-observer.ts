import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';

/** An event seen on a topic: its CloudEvents type, parsed JSON payload and the raw message. */
export interface ObservedEvent {
  topic: string;
  type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- payloads of every event type, read by tests
  body: Record<string, any>;
  message: KafkaMessage;
}

export interface TopicObserver {
  /** Everything seen so far, in arrival order. */
  events: ObservedEvent[];
  stop(): Promise<void>;
}

/**
 * Records every event on the given topics with a consumer group of its own (tests read what services emit):
 * all of them, or (fromBeginning false) those produced after this returns. Answers once the group is joined.
 */
export async function observeTopics(
  name: string,
  topics: string[],
  fromBeginning: boolean,
): Promise<TopicObserver> {
  const kafka = new Kafka({
    clientId: name,
    brokers: process.env.KAFKA_BROKERS!.split(','),
    logLevel: logLevel.NOTHING,
  });
  // "From now on" is fixed before subscribing: the end offset of every partition. The consumer then reads
  // from the beginning and skips what lies before those offsets, so nothing produced after observeTopics
  // returns can be missed, whenever the group's first fetch happens.
  const startOffsets = new Map<string, bigint>();
  if (!fromBeginning) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const topic of topics)
        for (const { partition, high } of await admin.fetchTopicOffsets(topic))
          startOffsets.set(`${topic}:${partition}`, BigInt(high));
    } finally {
      await admin.disconnect();
    }
  }
  const consumer = kafka.consumer({ groupId: `${name}-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const events: ObservedEvent[] = [];
  let markJoined: () => void = () => undefined;
  const joined = new Promise<void>((resolve) => (markJoined = resolve));
  const removeJoin = consumer.on(consumer.events.GROUP_JOIN, () => markJoined());
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      if (BigInt(message.offset) < (startOffsets.get(`${topic}:${partition}`) ?? 0n)) return;
      events.push({
        topic,
        type: message.headers?.ce_type?.toString() ?? '',
        body: message.value ? (JSON.parse(message.value.toString()) as ObservedEvent['body']) : {},
        message,
      });
    },
  });
  await joined;
  removeJoin();
  return { events, stop: () => consumer.disconnect() };
}
