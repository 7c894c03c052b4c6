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

/** Records every event on the given topics with a consumer group of its own (tests read what services emit). */
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
  const consumer = kafka.consumer({ groupId: `${name}-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const events: ObservedEvent[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning });
  await consumer.run({
    eachMessage: async ({ topic, message }) =>
      void events.push({
        topic,
        type: message.headers?.ce_type?.toString() ?? '',
        body: message.value ? JSON.parse(message.value.toString()) : {},
        message,
      }),
  });
  return { events, stop: () => consumer.disconnect() };
}
