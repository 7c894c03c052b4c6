import { toWireHeaders } from '@crm/contracts';
import { ProbeRecorded } from './fixtures/probe-event';
import { createKafka, readDeadLetters as readAll, REPLAY_HEADERS } from '../src';
import { eventually, ManagedProcess } from '@crm/testing';
import { logLevel } from 'kafkajs';
import {
  brokers,
  customerPrefix,
  effectCount,
  expectExactlyOnceInOrder,
  harness,
  probe,
  probeRecord,
  readDeadLetters,
  startGroupAtEnd,
  useProbeHarness,
} from './probe-harness';

/**
 * The delivery guarantees, proven against the real broker and database: outbox → Kafka → inbox, exactly
 * once per effect and in order per customer, through crashes and poison events. The consumer killed three
 * times mid-stream and the broker restarted under load are in messaging-faults.long-spec.ts
 * (`npm run test:long`).
 */
useProbeHarness();

describe('messaging guarantees against real Kafka and Postgres', () => {
  it('delivers 5,000 events for 200 customers exactly once, in order per customer', async () => {
    await startGroupAtEnd('probe-c1');
    // Both keep a trail of what they sent: the trace checks below read the sent rows' headers.
    const trail = { PROBE_KEEP_PUBLISHED_HOURS: '1' };
    const consumer = probe('consume', 1, trail);
    await consumer.waitForLine('PROBE_READY');
    const producer = probe('produce', 1, { PROBE_COUNT: '5000', PROBE_CUSTOMERS: '200', ...trail });
    await producer.waitForLine('PROBE_DRAINED', 120_000);
    await eventually('5,000 effects', async () => (await effectCount(1)) >= 5000, 120_000);
    await expectExactlyOnceInOrder(1, 200, 25);
    // Runs of records shared transactions (rows written in one transaction share its now()).
    const { rows: transactions } = await harness.pool.query<{ n: number }>(
      `SELECT count(DISTINCT created_at)::int AS n FROM probe_c1.probe_effects WHERE customer_id::text LIKE $1`,
      [`${customerPrefix(1)}%`],
    );
    expect(transactions[0].n).toBeLessThan(2500);

    // The consumer span is a child of the producer span, and ids travel with every event.
    const { rows: traced } = await harness.pool.query(
      `SELECT e.trace_id, e.parent_span_id, e.correlation_id, o.headers->>'traceparent' AS traceparent, o.headers->>'correlationid' AS correlation
         FROM probe_c1.probe_effects e JOIN probe_p1.outbox o ON o.event_id = e.event_id LIMIT 50`,
    );
    expect(traced).toHaveLength(50);
    for (const row of traced) {
      const [, traceId, spanId] = row.traceparent.split('-');
      expect(row.trace_id).toBe(traceId);
      expect(row.parent_span_id).toBe(spanId);
      expect(row.correlation_id).toBe(row.correlation);
    }
    // An event the consumer caused carries the correlation id forward and names its cause.
    const { rows: caused } = await harness.pool.query(
      `SELECT o.headers->>'correlationid' AS correlation, o.headers->>'causationid' AS causation, e.event_id::text AS cause, e.correlation_id
         FROM probe_c1.outbox o JOIN probe_c1.probe_effects e ON e.event_id::text = o.headers->>'causationid'`,
    );
    expect(caused).toHaveLength(200);
    for (const row of caused) expect(row.correlation).toBe(row.correlation_id);
  });

  it('hands a batch handler runs of records: exactly once and in order through SIGKILLs, a failing run applied one by one', async () => {
    await startGroupAtEnd('probe-c9');
    const trail = { PROBE_KEEP_PUBLISHED_HOURS: '1' };
    const batchProbe = () => probe('consume', 9, { PROBE_BATCH: '1', PROBE_HANDLER_DELAY_MS: '2', ...trail });
    let consumer = batchProbe();
    await consumer.waitForLine('PROBE_READY');
    const producer = probe('produce', 9, { PROBE_COUNT: '3000', PROBE_CUSTOMERS: '100', ...trail });
    for (const threshold of [700, 1900]) {
      await eventually(`${threshold} effects`, async () => (await effectCount(9)) >= threshold, 120_000);
      expect((await consumer.kill('SIGKILL')).signal).toBe('SIGKILL');
      consumer = batchProbe();
      await consumer.waitForLine('PROBE_READY');
    }
    await producer.waitForLine('PROBE_DRAINED', 120_000);
    await eventually('3,000 effects', async () => (await effectCount(9)) >= 3000, 180_000);
    await expectExactlyOnceInOrder(9, 100, 30);
    // The handler was called with runs of records, each effect in its call's span, parented by its first record.
    const { rows: calls } = await harness.pool.query<{ largest: number; calls: number }>(
      `SELECT max(batch_size)::int AS largest, count(DISTINCT call_span_id)::int AS calls
         FROM probe_c9.probe_effects WHERE customer_id::text LIKE $1`,
      [`${customerPrefix(9)}%`],
    );
    expect(calls[0].largest).toBeGreaterThan(1);
    expect(calls[0].calls).toBeLessThan(3000);
    const { rows: traced } = await harness.pool.query<{
      call: string;
      trace_id: string;
      record_trace: string;
    }>(
      `SELECT e.call_span_id AS call, e.trace_id, split_part(o.headers->>'traceparent', '-', 2) AS record_trace
         FROM probe_c9.probe_effects e JOIN probe_p9.outbox o ON o.event_id = e.event_id ORDER BY e.id`,
    );
    const firstOfCall = new Map<string, string>();
    for (const row of traced) {
      if (!firstOfCall.has(row.call)) firstOfCall.set(row.call, row.record_trace);
      expect(row.trace_id).toBe(firstOfCall.get(row.call));
    }
    // What a run publishes joins each cause's own trace, not the run's: every record came in a trace of its
    // own (one root producer span each), and runs of first records put several customers in one call.
    const { rows: caused } = await harness.pool.query<{ trace: string; cause_trace: string }>(
      `SELECT split_part(o.headers->>'traceparent', '-', 2) AS trace,
              split_part(p.headers->>'traceparent', '-', 2) AS cause_trace
         FROM probe_c9.outbox o JOIN probe_p9.outbox p ON p.event_id::text = o.headers->>'causationid'`,
    );
    expect(caused).toHaveLength(100);
    expect(new Set(caused.map((row) => row.cause_trace)).size).toBe(100);
    for (const row of caused) expect(row.trace).toBe(row.cause_trace);

    // A run holding a record the handler refuses: the run is rolled back and applied record by record, so
    // the records around it take effect once each and the refused one is dead-lettered with the reason.
    const customer = '00000000-0fff-4000-8000-000000000009';
    const kafkaProducer = harness.kafka.producer();
    await kafkaProducer.connect();
    await kafkaProducer.send({
      topic: ProbeRecorded.topic,
      messages: [
        probeRecord('99999999-0000-4000-8000-000000000001', customer, 'probe-x-1'),
        probeRecord('99999999-0000-4000-8000-000000000002', customer, 'always-fails-9'),
        probeRecord('99999999-0000-4000-8000-000000000003', customer, 'probe-x-3'),
        probeRecord('99999999-0000-4000-8000-000000000003', customer, 'probe-x-3'),
      ],
    });
    await kafkaProducer.disconnect();
    const [letter] = await readDeadLetters('probe-c9', 1);
    expect(letter.headers.ce_id).toBe('99999999-0000-4000-8000-000000000002');
    expect(letter.headers.dlq_code).toBe('HANDLER_FAILED');
    expect(letter.headers.dlq_reason).toContain('probe handler refuses always-fails-9');
    await eventually('the records around the refused one', async () => {
      const { rows } = await harness.pool.query<{ seq: number; batch_size: number }>(
        'SELECT order_seq AS seq, batch_size FROM probe_c9.probe_effects WHERE customer_id = $1 ORDER BY id',
        [customer],
      );
      return (
        rows.length === 2 && rows[0].seq === 1 && rows[1].seq === 3 && rows.every((r) => r.batch_size === 1)
      );
    });
  });

  it('publishes every committed event after the producer dies between commit and publish', async () => {
    await startGroupAtEnd('probe-c3');
    const crashed = probe('produce', 3, {
      PROBE_COUNT: '1000',
      PROBE_CUSTOMERS: '50',
      PROBE_NO_RELAY: '1',
      PROBE_KILL_AFTER_COMMIT: '1',
    });
    const exit = await crashed.exited;
    expect(exit.signal).toBe('SIGKILL');
    const { rows } = await harness.pool.query(
      'SELECT count(*)::int AS n FROM probe_p3.outbox WHERE published_at IS NULL',
    );
    expect(rows[0].n).toBe(1000);

    const consumer = probe('consume', 3);
    await consumer.waitForLine('PROBE_READY');
    // This relay keeps a trail of what it sent (the rows stay, marked published).
    const relay = probe('relay', 3, { PROBE_KEEP_PUBLISHED_HOURS: '1' });
    await relay.waitForLine('PROBE_DRAINED', 60_000);
    expect((await relay.exited).code).toBe(0);
    await eventually('1,000 effects', async () => (await effectCount(3)) >= 1000, 60_000);
    await expectExactlyOnceInOrder(3, 50, 20);
    const kept = await harness.pool.query(
      'SELECT count(*) FILTER (WHERE published_at IS NOT NULL)::int AS n FROM probe_p3.outbox',
    );
    expect(kept.rows[0].n).toBe(1000);
  });

  it('relays a large backlog in byte-bounded rounds and parks a row the broker could never take', async () => {
    const crashed = probe('produce', 7, {
      PROBE_COUNT: '300',
      PROBE_CUSTOMERS: '30',
      PROBE_NO_RELAY: '1',
      PROBE_KILL_AFTER_COMMIT: '1',
    });
    expect((await crashed.exited).signal).toBe('SIGKILL');
    // After the 300: one 2 MB row, then five of about 290 KB each (one customer, so one partition).
    const copy = (payload: string) =>
      harness.pool.query(
        `INSERT INTO probe_p7.outbox (event_id, topic, message_key, event_type, headers, payload)
         SELECT gen_random_uuid(), topic, message_key, event_type, headers, ${payload} FROM probe_p7.outbox ORDER BY seq LIMIT 1`,
      );
    await copy(`repeat('x', 2000000)`);
    for (let i = 0; i < 5; i += 1)
      await copy(`(SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 9000))`);
    const admin = harness.kafka.admin();
    await admin.connect();
    const endOffsets = async () =>
      (await admin.fetchTopicOffsets(ProbeRecorded.topic)).reduce((sum, p) => sum + Number(p.high), 0);
    const before = await endOffsets();

    const relay = probe('relay', 7);
    await relay.waitForLine('PROBE_DRAINED', 60_000);
    expect((await relay.exited).code).toBe(0);
    // Sent rows are deleted (the default); the parked one stays with its reason.
    const { rows } = await harness.pool.query<{ left: number; parked: number; reason: string | null }>(
      `SELECT count(*)::int AS left, count(*) FILTER (WHERE parked_at IS NOT NULL)::int AS parked,
              max(park_reason) AS reason
         FROM probe_p7.outbox`,
    );
    expect(rows[0]).toEqual({
      left: 1,
      parked: 1,
      reason: expect.stringContaining('more than the 1000000'),
    });
    expect((await endOffsets()) - before).toBe(305);
    await admin.disconnect();
  });

  it('dead-letters poison events and an always-failing handler while other customers keep flowing', async () => {
    await startGroupAtEnd('probe-c4');
    const consumer = probe('consume', 4, { PROBE_MAX_ATTEMPTS: '3' });
    await consumer.waitForLine('PROBE_READY');
    const producer = harness.kafka.producer();
    await producer.connect();
    const fixture = ProbeRecorded.fixture;
    const poisonCustomer = '00000000-ffff-4000-8000-000000000001';
    const headers = (id: string, type = ProbeRecorded.type) =>
      toWireHeaders({
        id,
        type,
        source: '/crm/spec',
        time: new Date().toISOString(),
        subject: poisonCustomer,
        correlationId: id,
      });
    const poison = [
      {
        key: poisonCustomer,
        headers: headers('11111111-1111-4111-8111-111111111111'),
        value: JSON.stringify({ ...fixture, customerId: poisonCustomer, amount: 'lots' }),
      },
      { key: poisonCustomer, headers: headers('22222222-2222-4222-8222-222222222222'), value: '{not json' },
      {
        key: poisonCustomer,
        headers: headers('33333333-3333-4333-8333-333333333333', 'crm.probe.purchase-recorded.v7'),
        value: JSON.stringify(fixture),
      },
      {
        key: poisonCustomer,
        headers: headers('44444444-4444-4444-8444-444444444444'),
        value: JSON.stringify({ ...fixture, customerId: poisonCustomer, orderId: 'always-fails-1' }),
      },
    ];
    await producer.send({ topic: ProbeRecorded.topic, messages: poison });
    await producer.disconnect();

    const others = probe('produce', 4, { PROBE_COUNT: '500', PROBE_CUSTOMERS: '50' });
    await others.waitForLine('PROBE_DRAINED', 60_000);
    await eventually('500 effects from other customers', async () => (await effectCount(4)) >= 500, 60_000);
    await expectExactlyOnceInOrder(4, 50, 10);

    const letters = await readDeadLetters('probe-c4', 4);
    const byId = new Map(letters.map((l) => [l.headers.ce_id, l]));
    expect(byId.get('11111111-1111-4111-8111-111111111111')?.headers.dlq_code).toBe('INVALID_PAYLOAD');
    expect(byId.get('11111111-1111-4111-8111-111111111111')?.headers.dlq_reason).toContain('amount');
    expect(byId.get('22222222-2222-4222-8222-222222222222')?.headers.dlq_code).toBe('UNPARSEABLE');
    expect(byId.get('22222222-2222-4222-8222-222222222222')?.value?.toString()).toBe('{not json');
    expect(byId.get('33333333-3333-4333-8333-333333333333')?.headers.dlq_code).toBe('UNKNOWN_TYPE');
    const failed = byId.get('44444444-4444-4444-8444-444444444444');
    expect(failed?.headers.dlq_code).toBe('HANDLER_FAILED');
    expect(failed?.headers.dlq_attempts).toBe('3');
    expect(failed?.headers.dlq_reason).toContain('probe handler refuses always-fails-1');
    expect(failed?.headers.dlq_source_topic).toBe(ProbeRecorded.topic);
    expect(failed?.key).toBe(poisonCustomer);
    expect(JSON.parse(failed!.value!.toString()).orderId).toBe('always-fails-1');
    expect(consumer.running).toBe(true);
  });

  it('cuts a handler at its time limit: rolled back, its session ended, retried, then dead-lettered', async () => {
    await startGroupAtEnd('probe-c8');
    const consumer = probe('consume', 8, {
      PROBE_MAX_ATTEMPTS: '2',
      PROBE_HANDLER_TIMEOUT_MS: '1500',
      PROBE_HANG_MS: '4000',
    });
    await consumer.waitForLine('PROBE_READY');
    const customer = '00000000-0008-4000-8000-00000000ffff';
    const hangs = [
      { id: '88888888-0000-4000-8000-000000000001', orderId: 'hangs-in-sql-1' },
      { id: '88888888-0000-4000-8000-000000000002', orderId: 'hangs-in-code-1' },
    ];
    const producer = harness.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: ProbeRecorded.topic,
      messages: hangs.map(({ id, orderId }) => probeRecord(id, customer, orderId)),
    });
    await producer.disconnect();
    // Others behind them on other partitions, and the same customer's next event after them, still flow.
    const others = probe('produce', 8, { PROBE_COUNT: '200', PROBE_CUSTOMERS: '20' });
    await others.waitForLine('PROBE_DRAINED', 60_000);
    await eventually('200 effects from other customers', async () => (await effectCount(8)) >= 200, 60_000);

    const letters = await readDeadLetters('probe-c8', 2);
    for (const { id, orderId } of hangs) {
      const letter = letters.find((l) => l.headers.ce_id === id);
      expect({ orderId, code: letter?.headers.dlq_code, attempts: letter?.headers.dlq_attempts }).toEqual({
        orderId,
        code: 'HANDLER_TIMEOUT',
        attempts: '2',
      });
      expect(letter?.headers.dlq_reason).toContain('longer than 1500 ms');
    }
    // Nothing of theirs committed, no session left sleeping, and no inbox row (a replay would apply them),
    // also after the handler in code has woken up and tried to write again.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const leftovers = async () =>
      (
        await harness.pool.query<{ effects: number; sleeping: number; inbox: number }>(
          `SELECT (SELECT count(*)::int FROM probe_c8.probe_effects WHERE event_id::text = ANY($1::text[])) AS effects,
                  (SELECT count(*)::int FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(3600)') AS sleeping,
                  (SELECT count(*)::int FROM probe_c8.inbox WHERE event_id::text = ANY($1::text[])) AS inbox`,
          [hangs.map((h) => h.id)],
        )
      ).rows[0];
    expect(await leftovers()).toEqual({ effects: 0, sleeping: 0, inbox: 0 });
    expect(consumer.running).toBe(true);
  });

  it('replays dead letters with the CLI once the handler is fixed: each effect exactly once, a second replay harmless', async () => {
    await startGroupAtEnd('probe-c6');
    const broken = probe('consume', 6, { PROBE_MAX_ATTEMPTS: '2' });
    await broken.waitForLine('PROBE_READY');
    const customer = '00000000-0006-4000-8000-00000000abcd';
    const ids = [1, 2, 3].map((n) => `66666666-6666-4666-8666-00000000000${n}`);
    const producer = harness.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: ProbeRecorded.topic,
      messages: ids.map((id, i) => probeRecord(id, customer, `always-fails-${i + 1}`)),
    });
    await producer.disconnect();
    const cliKafka = createKafka(brokers(), 'dlq-spec', { logLevel: logLevel.NOTHING });
    await eventually(
      'three dead letters',
      async () => (await readAll(cliKafka, 'probe-c6')).length >= 3,
      60_000,
      500,
    );
    await broken.kill('SIGTERM');

    const fixed = probe('consume', 6, { PROBE_FIXED: 'true' });
    await fixed.waitForLine('PROBE_READY');
    const cli = (...args: string[]) =>
      ManagedProcess.start('dlq', 'libs/messaging/src/dlq-cli', args, { KAFKA_BROKERS: brokers() });
    const list = cli('list', 'probe-c6', '--code', 'HANDLER_FAILED');
    expect((await list.exited).code).toBe(0);
    expect(list.output()).toContain('3 dead letters, 3 match');
    expect(list.output()).toContain('probe handler refuses always-fails-1');
    const replay = cli('replay', 'probe-c6', '--code', 'HANDLER_FAILED', '--type', ProbeRecorded.type);
    expect((await replay.exited).code).toBe(0);
    expect(replay.output()).toContain('done: 3 put back');

    const effects = async () =>
      (
        await harness.pool.query<{ event_id: string; order_seq: number }>(
          `SELECT event_id::text, order_seq FROM probe_c6.probe_effects WHERE customer_id = $1 ORDER BY id`,
          [customer],
        )
      ).rows;
    await eventually('the three effects', async () => (await effects()).length >= 3, 60_000, 250);
    // A second replay of the same letters changes nothing: the inbox knows their event ids. A sentinel sent
    // after it on the same key (so the same partition, in order) shows when the replayed records were consumed.
    const again = cli('replay', 'probe-c6', '--code', 'HANDLER_FAILED');
    expect((await again.exited).code).toBe(0);
    const sentinel = '66666666-6666-4666-8666-000000000009';
    const sender = harness.kafka.producer();
    await sender.connect();
    await sender.send({
      topic: ProbeRecorded.topic,
      messages: [
        {
          key: customer,
          headers: toWireHeaders({
            id: sentinel,
            type: ProbeRecorded.type,
            source: '/crm/spec',
            time: new Date().toISOString(),
            subject: customer,
            correlationId: sentinel,
          }),
          value: JSON.stringify({ ...ProbeRecorded.fixture, customerId: customer, orderId: 'sentinel-4' }),
        },
      ],
    });
    await sender.disconnect();
    await eventually(
      'the sentinel after the second replay',
      async () => (await effects()).length >= 4,
      60_000,
      250,
    );
    expect((await effects()).at(-1)?.event_id).toBe(sentinel);
    expect((await effects()).map((e) => e.event_id).sort()).toEqual([...ids, sentinel].sort());
    expect(REPLAY_HEADERS.of).toBe('crm_replay_of');
    const bad = cli('replay', 'no-such-group');
    expect((await bad.exited).code).toBe(1);
    expect(bad.output()).toContain('no dead-letter topic crm.dlq.no-such-group');
  });

  it('reports a consumer that kafkajs stops for good instead of consuming nothing silently', async () => {
    // The broker refuses a session timeout below its group.min.session.timeout.ms (6 s by default): the join
    // fails with an error kafkajs does not retry, so it stops the consumer while the process stays up.
    const deaf = probe('consume', 10, { PROBE_SESSION_TIMEOUT_MS: '4500' });
    await deaf.waitForLine('consumer stopped', 60_000);
    const lines = deaf.output(5000).split('\n');
    const line = lines.find((l) => l.includes('consumer stopped'))!;
    expect(JSON.parse(line)).toMatchObject({ level: 'error', group: 'probe-c10' });
    expect(JSON.parse(line).error).toMatch(/session timeout/i);
    // kafkajs's own "Crash" line is a warning now: the stop above is the one error it deserves.
    const crash = lines.find((l) => l.includes('Crash: '));
    expect(crash && JSON.parse(crash).level).toBe('warn');
    expect(deaf.running).toBe(true);
    await deaf.kill();
  });
});
