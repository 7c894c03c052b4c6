import { eventually, restartTestKafka } from '@crm/testing';
import {
  effectCount,
  expectExactlyOnceInOrder,
  probe,
  startGroupAtEnd,
  useProbeHarness,
} from './probe-harness';

/**
 * The messaging guarantees under the longer faults (`npm run test:long`): the consumer SIGKILLed three times
 * mid-stream, and the Kafka broker restarted under load; exactly once and in order through both.
 */
useProbeHarness();

describe('messaging guarantees through consumer kills and a broker restart', () => {
  it('stays exactly once and in order when the consumer is SIGKILLed three times mid-stream', async () => {
    await startGroupAtEnd('probe-c2');
    let consumer = probe('consume', 2, { PROBE_HANDLER_DELAY_MS: '2' });
    await consumer.waitForLine('PROBE_READY');
    const producer = probe('produce', 2, { PROBE_COUNT: '5000', PROBE_CUSTOMERS: '200' });
    for (const threshold of [600, 1800, 3000]) {
      await eventually(`${threshold} effects`, async () => (await effectCount(2)) >= threshold, 120_000);
      const exit = await consumer.kill('SIGKILL');
      expect(exit.signal).toBe('SIGKILL');
      consumer = probe('consume', 2, { PROBE_HANDLER_DELAY_MS: '2' });
      await consumer.waitForLine('PROBE_READY');
    }
    await producer.waitForLine('PROBE_DRAINED', 120_000);
    await eventually('5,000 effects', async () => (await effectCount(2)) >= 5000, 180_000);
    await expectExactlyOnceInOrder(2, 200, 25);
  });

  it('recovers by itself when the Kafka broker restarts under load, still exactly once', async () => {
    await startGroupAtEnd('probe-c5');
    const consumer = probe('consume', 5);
    await consumer.waitForLine('PROBE_READY');
    const producer = probe('produce', 5, {
      PROBE_COUNT: '3000',
      PROBE_CUSTOMERS: '100',
      PROBE_PAUSE_MS: '25',
    });
    await eventually('first effects', async () => (await effectCount(5)) >= 300, 60_000);
    await restartTestKafka();
    await producer.waitForLine('PROBE_DRAINED', 180_000);
    await eventually('3,000 effects', async () => (await effectCount(5)) >= 3000, 180_000);
    await expectExactlyOnceInOrder(5, 100, 30);
    const before = await effectCount(5);
    expect(before).toBe(3000);
  });
});
