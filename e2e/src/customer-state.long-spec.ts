import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { CustomerState, Topics, type CustomerStateV1 } from '@crm/contracts';
import { eventually, readTopicsToEnd, type ReadRecord } from '@crm/testing';
import { call, daysAgo } from './http';
import { e2eSession } from './session';

/**
 * The compacted customer state topic: a consumer that reads it from the beginning learns every customer's
 * current state without replaying history, agreeing with the APIs; an erased customer's key disappears once
 * compaction has run.
 */
const e2e = e2eSession('e2e-customer-state', [Topics.customerState]);
const run = randomUUID().slice(0, 6);
const COUNT = 200;
const profile = () => e2e.platform.url('customer-profile');
const tagging = () => e2e.platform.url('tagging');

async function inBatches<T, R>(
  items: T[],
  size: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size)
    results.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => work(item, i + j)))));
  return results;
}

/**
 * The latest record per customer id, checking on the way that revisions only grow for `ours` (other test files'
 * platforms, in schemas of their own, publish their own snapshots of their customers on the same topic).
 */
function latestByKey(records: ReadRecord[], ours: ReadonlySet<string>): Map<string, ReadRecord> {
  const latest = new Map<string, ReadRecord>();
  for (const record of records) {
    const previous = latest.get(record.key!);
    if (ours.has(record.key!) && previous?.value && record.value) {
      const before = (JSON.parse(previous.value.toString()) as CustomerStateV1).revision;
      const after = (JSON.parse(record.value.toString()) as CustomerStateV1).revision;
      if (after <= before) throw new Error(`revision of ${record.key} went from ${before} to ${after}`);
    }
    latest.set(record.key!, record);
  }
  return latest;
}

async function expectedState(id: string) {
  const [scores, segments, customer] = await Promise.all([
    call('GET', `${tagging()}/customers/${id}`, e2e.agent),
    call('GET', `${tagging()}/customers/${id}/segments`, e2e.agent),
    call('GET', `${profile()}/customers/${id}`, e2e.agent),
  ]);
  return {
    valueTier: scores.body.valueTier,
    valueLoyaltySegment: scores.body.valueLoyaltySegment,
    membershipLevel: scores.body.membershipLevel,
    lifecycleStage: scores.body.lifecycleStage,
    tags: [...(scores.body.tags as string[])].sort(),
    customSegments: (segments.body as Array<{ segment: string }>).map((s) => s.segment).sort(),
    consents: (customer.body.consents as Array<{ channel: string; purpose: string; granted: boolean }>)
      .map(({ channel, purpose, granted }) => ({ channel, purpose, granted }))
      .sort((a, b) => `${a.channel}/${a.purpose}`.localeCompare(`${b.channel}/${b.purpose}`)),
  };
}

describe('crm.customer-state.v1', () => {
  const ids: string[] = [];

  it(`gives a new consumer, reading from the beginning, the state the APIs show for ${COUNT} customers`, async () => {
    ids.push(
      ...(await inBatches([...Array(COUNT).keys()], 20, async (i) => {
        const registered = await call('POST', `${profile()}/customers`, e2e.agent, {
          externalRef: `ST-${run}-${i}`,
          kind: i % 2 ? 'person' : 'company',
          name: `State Customer ${i}`,
          relationshipStartedAt: daysAgo(30 + (i % 700)),
          consents: [{ channel: 'email', purpose: 'marketing', granted: i % 3 !== 0 }],
        });
        expect(registered.status).toBe(201);
        return registered.body.id as string;
      })),
    );
    // Purchases for a third, a consent change for a fifth, a static segment for a tenth.
    await inBatches(
      ids.filter((_, i) => i % 3 === 1),
      10,
      async (id, i) => {
        for (let n = 0; n <= i % 3; n++) {
          const bought = await call('POST', `${profile()}/customers/${id}/purchases`, e2e.agent, {
            orderId: `ST-${run}-${id.slice(0, 8)}-${n}`,
            amount: 200 + 900 * (i % 4),
            currency: 'EUR',
            occurredAt: daysAgo(20 - n),
            items: [{ sku: 'P-1', category: 'pumps', quantity: 1, unitPrice: 200 + 900 * (i % 4) }],
          });
          expect(bought.status).toBe(201);
        }
      },
    );
    await inBatches(
      ids.filter((_, i) => i % 5 === 2),
      10,
      async (id) => {
        const changed = await call('PUT', `${profile()}/customers/${id}/consents`, e2e.agent, {
          consents: [
            { channel: 'sms', purpose: 'service', granted: true },
            { channel: 'email', purpose: 'marketing', granted: false },
          ],
        });
        expect(changed.status).toBe(200);
      },
    );
    const listed = await call('PUT', `${tagging()}/segments/state-list-${run}/members`, e2e.admin, {
      customerIds: ids.filter((_, i) => i % 10 === 4),
    });
    expect(listed.status).toBe(200);

    let mismatches: string[] = [];
    await eventually(
      `the compacted topic agrees with the APIs for all ${COUNT} customers`,
      async () => {
        const latest = latestByKey(
          await readTopicsToEnd([Topics.customerState], { name: `state-${run}` }),
          new Set(ids),
        );
        mismatches = [];
        await inBatches(ids, 25, async (id) => {
          const record = latest.get(id);
          if (!record?.value) return void mismatches.push(`${id}: no snapshot`);
          const snapshot = JSON.parse(record.value.toString()) as CustomerStateV1;
          const { customerId, revision, updatedAt, ...state } = snapshot;
          const expected = await expectedState(id);
          if (JSON.stringify(state) !== JSON.stringify(expected))
            mismatches.push(`${id}: topic ${JSON.stringify(state)} api ${JSON.stringify(expected)}`);
          if (customerId !== id || revision < 1 || !updatedAt)
            mismatches.push(`${id}: envelope ${customerId}`);
          if (record.headers.ce_type?.toString() !== CustomerState.type) mismatches.push(`${id}: ce_type`);
        });
        return mismatches.length === 0;
      },
      120_000,
      3000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${mismatches.slice(0, 5).join('\n')}`);
    });
  }, 240_000);

  it('writes a tombstone on erasure, and the key is gone once compaction has run', async () => {
    const erased = ids[7];
    expect((await call('DELETE', `${profile()}/customers/${erased}/personal-data`, e2e.admin)).status).toBe(
      204,
    );
    await eventually(
      'a tombstone is the latest record of the erased customer',
      async () => {
        const latest = latestByKey(
          await readTopicsToEnd([Topics.customerState], { name: `tomb-${run}` }),
          new Set(ids),
        );
        const record = latest.get(erased);
        return record !== undefined && record.value === null;
      },
      60_000,
      2000,
    );

    // Make the cleaner run soon: short segments, any dirty ratio, tombstones kept for no time.
    const kafka = new Kafka({ brokers: process.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const setConfig = (entries: Record<string, string>) =>
      admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: 2, // TOPIC
            name: Topics.customerState,
            configEntries: Object.entries(entries).map(([name, value]) => ({ name, value })),
          },
        ],
      });
    await setConfig({
      'cleanup.policy': 'compact',
      'segment.ms': '500',
      'min.cleanable.dirty.ratio': '0.01',
      'delete.retention.ms': '0',
      'min.compaction.lag.ms': '0',
    });
    try {
      let tick = 0;
      await eventually(
        'the erased customer has no record left on the topic',
        async () => {
          // New records roll the segments that hold the erased customer's records, so the cleaner can take them.
          await inBatches(ids.slice(20 + (tick % 6) * 12, 32 + (tick % 6) * 12), 12, (id, i) =>
            call('PUT', `${profile()}/customers/${id}/consents`, e2e.agent, {
              consents: [{ channel: 'app-push', purpose: 'service', granted: (tick + i) % 2 === 0 }],
            }),
          );
          tick++;
          const records = await readTopicsToEnd([Topics.customerState], { name: `compacted-${run}` });
          return !records.some((r) => r.key === erased) && records.some((r) => r.key === ids[8]);
        },
        150_000,
        2000,
      );
    } finally {
      await setConfig({ 'cleanup.policy': 'compact', 'delete.retention.ms': '86400000' });
      await admin.disconnect();
    }
  }, 240_000);
});
