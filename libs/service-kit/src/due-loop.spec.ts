import type { Logger } from '@nestjs/common';
import fc from 'fast-check';
import { DueLoop } from './due-loop';

const quiet = { warn: jest.fn() } as unknown as Logger;

/** Lets the loop's promise chain settle under fake timers. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
}

describe('DueLoop', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sleeps until the next due time the round reports, at most the fallback', async () => {
    const started: number[] = [];
    const answers = [1500, undefined, 90_000];
    const loop = new DueLoop(quiet, 'failed', 30_000);
    loop.start(async () => {
      started.push(Date.now());
      return answers.shift();
    });
    await flush();
    await jest.advanceTimersByTimeAsync(1499);
    expect(started).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(started).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(29_999); // undefined: the fallback
    expect(started).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(started).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(30_000); // 90 s capped at the fallback
    expect(started).toHaveLength(4);
    await loop.stop();
  });

  it('runs at once on wake, and once more right after a round that a wake interrupted', async () => {
    let rounds = 0;
    let release: () => void = () => {};
    const loop = new DueLoop(quiet, 'failed', 30_000);
    loop.start(async () => {
      rounds += 1;
      if (rounds === 2) await new Promise<void>((resolve) => (release = resolve));
      return undefined;
    });
    await flush();
    expect(rounds).toBe(1);
    loop.wake();
    await flush();
    expect(rounds).toBe(2);
    loop.wake(); // during round 2: not a second concurrent round
    loop.wake();
    await flush();
    expect(rounds).toBe(2);
    release();
    await flush();
    await jest.advanceTimersByTimeAsync(20);
    expect(rounds).toBe(3);
    await jest.advanceTimersByTimeAsync(29_000);
    expect(rounds).toBe(3);
    await loop.stop();
  });

  it('retries a failed round after the retry pause, and stops for good', async () => {
    let rounds = 0;
    const loop = new DueLoop(quiet, 'failed', 30_000, 2000);
    loop.start(async () => {
      rounds += 1;
      throw new Error('database away');
    });
    await flush();
    await jest.advanceTimersByTimeAsync(2000);
    expect(rounds).toBe(2);
    await loop.stop();
    loop.wake();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(rounds).toBe(2);
  });

  it('never runs two rounds at once and never spins, whatever the rounds answer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant(undefined), fc.double({ min: -1e6, max: 1e6, noNaN: false })), {
          minLength: 1,
          maxLength: 20,
        }),
        async (answers) => {
          let inFlight = 0;
          let maxInFlight = 0;
          let rounds = 0;
          const loop = new DueLoop(quiet, 'failed', 1000);
          loop.start(async () => {
            inFlight += 1;
            rounds += 1;
            maxInFlight = Math.max(maxInFlight, inFlight);
            await Promise.resolve();
            inFlight -= 1;
            return answers[rounds % answers.length];
          });
          for (let i = 0; i < 10; i += 1) {
            loop.wake();
            await jest.advanceTimersByTimeAsync(100);
          }
          await loop.stop();
          expect(maxInFlight).toBe(1);
          // At most one round per 20 ms pause (plus the wakes): no busy loop on "due now" or NaN answers.
          expect(rounds).toBeLessThanOrEqual(1000 / 20 + 11);
        },
      ),
      { numRuns: 50 },
    );
  });
});
