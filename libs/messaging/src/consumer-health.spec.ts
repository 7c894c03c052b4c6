import fc from 'fast-check';
import { logLevel } from 'kafkajs';
import { metricsRegistry } from '@crm/observability';
import {
  consumersDown,
  forgetConsumer,
  recordConsumerCrash,
  recordConsumerJoined,
  stoppedConsumers,
} from './consumer-health';
import { kafkaJsLogLevel } from './kafka-client';

function recordingLogger() {
  const lines: Array<{ level: 'warn' | 'error'; line: Record<string, unknown> }> = [];
  return {
    lines,
    warn: (line: object) => lines.push({ level: 'warn', line: line as Record<string, unknown> }),
    error: (line: object) => lines.push({ level: 'error', line: line as Record<string, unknown> }),
  };
}

async function runningGauge(group: string): Promise<number | undefined> {
  const metric = await metricsRegistry.getSingleMetric('crm_consumer_running')?.get();
  return metric?.values.find((v) => v.labels.group === group)?.value;
}

const GROUPS = ['tagging', 'referral', 'console-live-a'];

describe('consumer health', () => {
  afterEach(() => {
    for (const group of GROUPS) forgetConsumer(group);
  });

  it('warns of a crash kafkajs restarts, and keeps the process alive', () => {
    const logger = recordingLogger();
    recordConsumerCrash(
      { groupId: 'tagging', error: new Error('The coordinator is loading'), restart: true },
      logger,
    );
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        line: expect.objectContaining({ group: 'tagging', error: 'Error: The coordinator is loading' }),
      },
    ]);
    expect(consumersDown()).toBeUndefined();
  });

  it('reports a consumer kafkajs stopped for good until it joins its group again', async () => {
    const logger = recordingLogger();
    const error = Object.assign(
      new Error('The session timeout is not within the range allowed by the broker'),
      {
        name: 'KafkaJSProtocolError',
      },
    );
    recordConsumerCrash({ groupId: 'referral', error, restart: false }, logger);
    expect(logger.lines[0]).toMatchObject({ level: 'error', line: { group: 'referral' } });
    expect(consumersDown()).toEqual({
      status: 'down',
      consumers: [
        {
          group: 'referral',
          stoppedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          reason: `KafkaJSProtocolError: ${error.message}`,
        },
      ],
    });
    expect(await runningGauge('referral')).toBe(0);
    recordConsumerJoined('referral');
    expect(consumersDown()).toBeUndefined();
    expect(await runningGauge('referral')).toBe(1);
  });

  it('lists exactly the groups whose last word was a crash without restart, whatever the order', () => {
    const step = fc.record({
      group: fc.constantFrom(...GROUPS),
      kind: fc.constantFrom('crash-restarted', 'crash-stopped', 'joined', 'closed'),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        for (const group of GROUPS) forgetConsumer(group);
        const logger = recordingLogger();
        const last = new Map<string, string>();
        for (const { group, kind } of steps) {
          if (kind === 'joined') recordConsumerJoined(group);
          else if (kind === 'closed') forgetConsumer(group);
          else
            recordConsumerCrash(
              { groupId: group, error: new Error('x'), restart: kind === 'crash-restarted' },
              logger,
            );
          // A restarted crash leaves the state as it was.
          if (kind !== 'crash-restarted') last.set(group, kind);
        }
        const expected = GROUPS.filter((g) => last.get(g) === 'crash-stopped').sort();
        expect(
          stoppedConsumers()
            .map((c) => c.group)
            .sort(),
        ).toEqual(expected);
        expect(
          consumersDown()
            ?.consumers.map((c) => c.group)
            .sort() ?? [],
        ).toEqual(expected);
        expect(logger.lines.filter((l) => l.level === 'error')).toHaveLength(
          steps.filter((s) => s.kind === 'crash-stopped').length,
        );
      }),
    );
  });
});

describe('kafkaJsLogLevel', () => {
  it('writes what kafkajs recovers from as a warning, and any other error as an error', () => {
    expect(kafkaJsLogLevel(logLevel.ERROR, 'Crash: KafkaJSProtocolError: The coordinator is loading')).toBe(
      'warn',
    );
    expect(kafkaJsLogLevel(logLevel.ERROR, 'Restarting the consumer in 300ms')).toBe('warn');
    expect(
      kafkaJsLogLevel(logLevel.ERROR, 'The coordinator is not aware of this member, re-joining the group'),
    ).toBe('warn');
    expect(kafkaJsLogLevel(logLevel.ERROR, 'Response Fetch(key: 1, version: 11)')).toBe('warn');
    expect(kafkaJsLogLevel(logLevel.ERROR, 'Failed to connect to seed broker')).toBe('error');
    expect(kafkaJsLogLevel(logLevel.DEBUG, 'Crash: anything')).toBeUndefined();
  });

  it('never raises a level and keeps every other error an error', () => {
    const levels = [logLevel.NOTHING, logLevel.ERROR, logLevel.WARN, logLevel.INFO, logLevel.DEBUG];
    fc.assert(
      fc.property(fc.constantFrom(...levels), fc.string(), (level, message) => {
        const written = kafkaJsLogLevel(level, message);
        if (level !== logLevel.ERROR) expect(written).not.toBe('error');
        if (level === logLevel.WARN) expect(written).toBe('warn');
        if (level === logLevel.DEBUG || level === logLevel.NOTHING) expect(written).toBeUndefined();
        if (
          level === logLevel.ERROR &&
          !/^(Response |Crash: |Restarting the consumer in |The coordinator is not aware)/.test(message)
        )
          expect(written).toBe('error');
      }),
    );
  });
});
