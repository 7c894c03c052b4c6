import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { deadLetterTopic } from '@crm/contracts';

/** One dead letter as the service wrote it: the original record plus why it failed. */
export interface DeadLetter {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** The original headers (CloudEvents `ce_*`, trace context), without the `dlq_*` ones. */
  headers: Record<string, string>;
  type: string | undefined;
  eventId: string | undefined;
  code: string;
  reason: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  attempts: number;
  failedAt: string;
}

export interface DeadLetterFilter {
  type?: string;
  code?: string;
  /** Only letters that failed at or after this time. */
  since?: Date;
}

/** Headers a replay adds, so a consumer (and a person) can see where a record came from. */
export const REPLAY_HEADERS = {
  of: 'crm_replay_of',
  at: 'crm_replayed_at',
  count: 'crm_replay_count',
} as const;

function text(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

function toDeadLetter(partition: number, message: KafkaMessage): DeadLetter {
  const all = text(message.headers);
  const original = Object.fromEntries(Object.entries(all).filter(([name]) => !name.startsWith('dlq_')));
  return {
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: original,
    type: all.ce_type,
    eventId: all.ce_id,
    code: all.dlq_code ?? 'UNKNOWN',
    reason: all.dlq_reason ?? '',
    sourceTopic: all.dlq_source_topic ?? '',
    sourcePartition: Number(all.dlq_source_partition ?? -1),
    sourceOffset: all.dlq_source_offset ?? '',
    attempts: Number(all.dlq_attempts ?? 0),
    failedAt: all.dlq_failed_at ?? '',
  };
}

export function matches(letter: DeadLetter, filter: DeadLetterFilter): boolean {
  if (filter.type && letter.type !== filter.type) return false;
  if (filter.code && letter.code !== filter.code) return false;
  if (filter.since && !(new Date(letter.failedAt).getTime() >= filter.since.getTime())) return false;
  return true;
}

/**
 * Every dead letter of a consumer group, read from the beginning of its dead-letter topic to the end as it
 * was when the read started (a throwaway consumer group, deleted afterwards).
 */
export async function readDeadLetters(
  kafka: Kafka,
  group: string,
  timeoutMs = 60_000,
): Promise<DeadLetter[]> {
  const topic = deadLetterTopic(group);
  const admin = kafka.admin();
  await admin.connect();
  const readerGroup = `crm-dlq-reader-${randomUUID()}`;
  try {
    if (!(await admin.listTopics()).includes(topic))
      throw new Error(`no dead-letter topic ${topic}: is "${group}" a consumer group of this platform?`);
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
    const pending = new Set([...ends].filter(([, high]) => high > 0n).map(([partition]) => partition));
    const letters: DeadLetter[] = [];
    if (pending.size > 0) {
      const consumer = kafka.consumer({ groupId: readerGroup, maxWaitTimeInMs: 200 });
      await consumer.connect();
      try {
        await consumer.subscribe({ topic, fromBeginning: true });
        let done: () => void = () => undefined;
        const finished = new Promise<void>((resolve) => (done = resolve));
        await consumer.run({
          eachMessage: async ({ partition, message }) => {
            if (BigInt(message.offset) < (ends.get(partition) ?? 0n))
              letters.push(toDeadLetter(partition, message));
            if (BigInt(message.offset) + 1n >= (ends.get(partition) ?? 0n)) pending.delete(partition);
            if (pending.size === 0) done();
          },
        });
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>(
          (resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)),
        );
        const outcome = await Promise.race([finished, timedOut]);
        clearTimeout(timer);
        if (outcome === 'timeout')
          throw new Error(
            `could not read ${topic} to its end within ${timeoutMs} ms (${letters.length} read)`,
          );
      } finally {
        await consumer.disconnect();
      }
      await admin.deleteGroups([readerGroup]).catch(() => undefined);
    }
    return letters.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Puts dead letters back on their source topic, original key, value and headers, with lineage headers
 * (`crm_replay_of` = `<dlq topic>/<partition>/<offset>`). Every consumer of that topic sees the record
 * again: those that processed it before skip it by its event id (their inbox), the group that failed
 * processes it now. Replaying the same letter twice is harmless for the same reason.
 */
export async function replayDeadLetters(
  kafka: Kafka,
  group: string,
  letters: DeadLetter[],
  progress: (done: number) => void = () => undefined,
): Promise<number> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  let done = 0;
  try {
    for (const letter of letters) {
      if (!letter.sourceTopic)
        throw new Error(`dead letter ${letter.partition}/${letter.offset} names no source topic`);
      await producer.send({
        topic: letter.sourceTopic,
        acks: -1,
        messages: [
          {
            key: letter.key,
            value: letter.value,
            headers: {
              ...letter.headers,
              [REPLAY_HEADERS.of]: `${deadLetterTopic(group)}/${letter.partition}/${letter.offset}`,
              [REPLAY_HEADERS.at]: new Date().toISOString(),
              [REPLAY_HEADERS.count]: String(Number(letter.headers[REPLAY_HEADERS.count] ?? 0) + 1),
            },
          },
        ],
      });
      done += 1;
      if (done % 100 === 0) progress(done);
    }
  } finally {
    await producer.disconnect();
  }
  progress(done);
  return done;
}
