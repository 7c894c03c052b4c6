import { Kafka, logLevel } from 'kafkajs';
import { SERVICE_CATALOG } from '@crm/contracts';

/**
 * Records of the platform's topics (`crm.*`) that its services' consumer groups (the catalog's, unless
 * `groups` names others) have not yet committed, summed over the topics each group has committed on.
 */
export async function platformConsumerLag(
  brokers: string,
  groups: readonly string[] = SERVICE_CATALOG.map((s) => s.consumerGroup),
): Promise<number> {
  const kafka = new Kafka({
    clientId: 'crm-lag-probe',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith('crm.'));
    const ends = new Map<string, number>();
    for (const topic of topics)
      for (const p of await admin.fetchTopicOffsets(topic))
        ends.set(`${topic}/${p.partition}`, Number(p.high));
    let lag = 0;
    for (const groupId of groups)
      for (const topic of await admin.fetchOffsets({ groupId, topics })) {
        if (!topic.partitions.some((p) => Number(p.offset) >= 0)) continue;
        for (const p of topic.partitions)
          lag += Math.max(
            0,
            (ends.get(`${topic.topic}/${p.partition}`) ?? 0) - Math.max(0, Number(p.offset)),
          );
      }
    return lag;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until the consumer groups have caught up (no lag twice in a row, `intervalMs` apart: a handled record
 * may publish more), reporting the lag as it goes; answers the seconds it took and the largest lag seen, or
 * throws after `timeoutMs` naming the lag left.
 */
export async function untilConsumersCaughtUp(
  brokers: string,
  options: {
    timeoutMs: number;
    intervalMs?: number;
    groups?: readonly string[];
    progress?: (lag: number, seconds: number) => void;
  },
): Promise<{ seconds: number; peakLag: number }> {
  const started = Date.now();
  const interval = options.intervalMs ?? 1000;
  let peakLag = 0;
  let calm = 0;
  for (;;) {
    const lag = await platformConsumerLag(brokers, options.groups);
    peakLag = Math.max(peakLag, lag);
    const seconds = (Date.now() - started) / 1000;
    options.progress?.(lag, seconds);
    calm = lag === 0 ? calm + 1 : 0;
    if (calm >= 2) return { seconds, peakLag };
    if (Date.now() - started > options.timeoutMs)
      throw new Error(`consumers still ${lag} records behind after ${seconds.toFixed(0)} s`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
