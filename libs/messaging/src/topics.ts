import type { KafkaSecurity } from './kafka-client';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import { ConsumerGroups, deadLetterTopic, TOPIC_CATALOG } from '@crm/contracts';
import { createKafka } from './kafka-client';

export interface EnsureTopicsOptions {
  partitions?: number;
  replicationFactor?: number;
  /** Credentials other than the environment's (an admin creating topics on a secured cluster). */
  security?: KafkaSecurity;
}

const COMPACTED_TOMBSTONE_RETENTION_MS = 24 * 3600 * 1000;

/** The catalog topics and one dead-letter topic per consumer group, with their configuration. */
export function plannedTopics(options: EnsureTopicsOptions = {}) {
  const catalog = TOPIC_CATALOG.map((topic) => ({
    topic: topic.name,
    numPartitions: Math.max(options.partitions ?? topic.partitions, 1),
    replicationFactor: options.replicationFactor ?? 1,
    configEntries:
      topic.cleanupPolicy === 'compact'
        ? [
            { name: 'cleanup.policy', value: 'compact' },
            // Tombstones (erasures) stay a day for consumers that lag, then compaction removes the key.
            { name: 'delete.retention.ms', value: String(COMPACTED_TOMBSTONE_RETENTION_MS) },
          ]
        : [{ name: 'retention.ms', value: String(topic.retentionMs) }],
  }));
  const deadLetters = Object.values(ConsumerGroups).map((group) => ({
    topic: deadLetterTopic(group),
    numPartitions: Math.max(options.partitions ?? 6, 1),
    replicationFactor: options.replicationFactor ?? 1,
    configEntries: [{ name: 'retention.ms', value: String(90 * 24 * 3600 * 1000) }],
  }));
  return [...catalog, ...deadLetters];
}

/** New partitions answer "not the leader" for a moment after creation; wait until offsets can be listed. */
async function waitUntilServing(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const topic of topics) {
    for (;;) {
      try {
        await admin.fetchTopicOffsets(topic);
        break;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`topic ${topic} is not served by a leader: ${(error as Error).message}`);
        await sleep(200);
      }
    }
  }
}

/** Creates missing topics; existing ones are left alone. Safe to call from every replica at start. */
export async function ensureTopics(
  brokers: string,
  options: EnsureTopicsOptions = {},
  extra: string[] = [],
): Promise<string[]> {
  const admin: Admin = createKafka(brokers, 'crm-topic-admin', options.security ?? {}).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const planned = plannedTopics(options);
    for (const name of extra) planned.push({ ...planned[0], topic: name, configEntries: [] });
    const missing = planned.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      try {
        await admin.createTopics({ topics: missing, waitForLeaders: true });
      } catch (error) {
        // Another replica may have created them a moment ago; only a topic still missing is a failure.
        const now = new Set(await admin.listTopics());
        if (missing.some((t) => !now.has(t.topic))) throw error;
      }
    }
    await waitUntilServing(
      admin,
      planned.map((t) => t.topic),
    );
    return missing.map((t) => t.topic);
  } finally {
    await admin.disconnect();
  }
}
