import fc from 'fast-check';
import type { Kafka } from 'kafkajs';
import { ConsoleConfig } from './console.config';
import { CONSOLE_TOPICS, LiveEvents } from './live-events';

/**
 * A stand-in for a kafkajs consumer with kafkajs's own pause semantics: pauses belong to the consumer group
 * object of the current run, which a crash throws away (kafkajs makes a new one when it starts the consumer
 * again), and pausing before a group exists throws.
 */
class StandInConsumer {
  readonly events = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' };
  private readonly handlers = new Map<string, Array<() => void>>();
  /** The paused topics of the current group object, or undefined while there is none. */
  private group?: Set<string>;

  on(event: string, handler: () => void): void {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
  }
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  async subscribe(): Promise<void> {}
  async run(): Promise<void> {
    this.join();
  }
  seek(): void {}

  pause(topics: Array<{ topic: string }>): void {
    if (!this.group) throw new Error('Consumer group was not initialized, consumer#run must be called first');
    for (const { topic } of topics) this.group.add(topic);
  }
  resume(topics: Array<{ topic: string }>): void {
    if (!this.group) throw new Error('Consumer group was not initialized, consumer#run must be called first');
    for (const { topic } of topics) this.group.delete(topic);
  }
  /** The topics it would not fetch now. */
  paused(): string[] {
    return [...(this.group ?? [])].sort();
  }

  /** A rebalance: the same group object joins again, its pauses kept. */
  rejoin(): void {
    for (const handler of this.handlers.get(this.events.GROUP_JOIN) ?? []) handler();
  }
  /** A crash, then kafkajs starting the consumer again: a new group object, which joins. */
  crashAndRestart(): void {
    this.group = undefined;
    this.join();
  }
  private join(): void {
    this.group = new Set();
    this.rejoin();
  }
}

class StandInLiveEvents extends LiveEvents {
  readonly consumerStandIn = new StandInConsumer();
  protected override kafka(): Kafka {
    const admin = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      fetchTopicOffsetsByTimestamp: async () => [{ partition: 0, offset: '0' }],
    };
    return { consumer: () => this.consumerStandIn, admin: () => admin } as unknown as Kafka;
  }
}

const config = { KAFKA_BROKERS: 'stand-in:9092', CONSOLE_MAX_STREAMS: 10 } as ConsoleConfig;
const ALL = [...CONSOLE_TOPICS].sort();
/** Lets the pause-or-resume chain run its queued steps. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('LiveEvents pausing', () => {
  it('pauses after start while nobody watches', async () => {
    const live = new StandInLiveEvents(config);
    await live.onModuleInit();
    await settled();
    expect(live.consumerStandIn.paused()).toEqual(ALL);
    expect(live.ready).toBe(true);
  });

  it('pauses again after kafkajs restarts the consumer with a new group', async () => {
    const live = new StandInLiveEvents(config);
    await live.onModuleInit();
    await settled();
    live.consumerStandIn.crashAndRestart();
    await settled();
    expect(live.consumerStandIn.paused()).toEqual(ALL);
  });

  it('matches who watches after any order of streams, rebalances and restarts', async () => {
    type Step = 'open' | 'close' | 'rejoin' | 'restart';
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom<Step>('open', 'close', 'rejoin', 'restart'), fc.boolean()), {
          maxLength: 30,
        }),
        async (steps) => {
          const live = new StandInLiveEvents(config);
          await live.onModuleInit();
          const closers: Array<() => void> = [];
          for (const [step, thenSettle] of steps) {
            if (step === 'open') {
              const close = live.listen(() => undefined);
              if (close) closers.push(close);
            } else if (step === 'close') closers.pop()?.();
            else if (step === 'rejoin') live.consumerStandIn.rejoin();
            else live.consumerStandIn.crashAndRestart();
            if (thenSettle) await settled();
          }
          await settled();
          expect(live.consumerStandIn.paused()).toEqual(closers.length === 0 ? ALL : []);
          await live.onApplicationShutdown();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('ends exactly the streams still open when the replica shuts down, each once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant('open' as const), fc.nat({ max: 20 })), { maxLength: 30 }),
        async (steps) => {
          const live = new StandInLiveEvents(config);
          await live.onModuleInit();
          const ended: number[] = [];
          const streams: Array<{ id: number; close: () => void; closed: boolean }> = [];
          for (const step of steps) {
            if (step === 'open') {
              const id = streams.length;
              const close = live.listen(
                () => undefined,
                () => ended.push(id),
              );
              if (close) streams.push({ id, close, closed: false });
            } else if (streams.length > 0) {
              // The browser leaves (possibly a stream that left before: closing twice is harmless).
              const stream = streams[step % streams.length];
              stream.close();
              stream.closed = true;
            }
          }
          live.beforeApplicationShutdown();
          const open = streams.filter((s) => !s.closed).map((s) => s.id);
          expect(ended).toEqual(open);
          expect(live.streams).toBe(0);
          // The stream's own close, as its response ends, ends nothing again.
          for (const stream of streams) stream.close();
          live.beforeApplicationShutdown();
          expect(ended).toEqual(open);
          await live.onApplicationShutdown();
        },
      ),
      { numRuns: 300 },
    );
  });
});
