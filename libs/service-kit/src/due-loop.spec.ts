import type { Logger } from '@nestjs/common';
import fc from 'fast-check';
import { dueIn } from '@crm/persistence';
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
  it('runs no round for work due after the planned one, and brings the round forward for work due sooner', async () => {
    const started: number[] = [];
    const loop = new DueLoop(quiet, 'failed', 30_000);
    loop.start(async () => {
      started.push(Date.now());
      return undefined; // nothing known: the fallback
    });
    await flush();
    const t0 = Date.now();
    expect(started).toEqual([t0]);
    loop.notice(`growth_campaigns${dueIn(7 * 86_400_000)}`); // a week away: the fallback round comes first
    loop.notice(`growth_campaigns${dueIn(30_000)}`); // exactly at the planned round
    await jest.advanceTimersByTimeAsync(1000);
    expect(started).toEqual([t0]);
    loop.notice(`growth_campaigns${dueIn(4000)}`); // sooner: the round moves to then, not to now
    await jest.advanceTimersByTimeAsync(3999);
    expect(started).toEqual([t0]);
    await jest.advanceTimersByTimeAsync(1);
    expect(started).toEqual([t0, t0 + 5000]);
    loop.notice(`growth_campaigns${dueIn(0)}`); // due now
    await flush();
    expect(started).toHaveLength(3);
    loop.notice('growth_campaigns'); // says nothing of when: look now
    await flush();
    expect(started).toHaveLength(4);
    await loop.stop();
  });

  it('keeps a due time notified during a round, which the round may not have seen', async () => {
    const started: number[] = [];
    let release: () => void = () => {};
    const loop = new DueLoop(quiet, 'failed', 30_000);
    loop.start(async () => {
      started.push(Date.now());
      if (started.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return 20_000;
    });
    await flush();
    const t0 = Date.now();
    loop.wakeBy(t0 + 3000);
    loop.wakeBy(t0 + 60_000);
    release();
    await flush();
    await jest.advanceTimersByTimeAsync(2999);
    expect(started).toEqual([t0]);
    await jest.advanceTimersByTimeAsync(1);
    expect(started).toEqual([t0, t0 + 3000]);
    await loop.stop();
  });

  it('runs a round by every notified due time, and no more rounds than notices and fallbacks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ gap: fc.integer({ min: 0, max: 5000 }), inMs: fc.integer({ min: 0, max: 40_000 }) }),
          {
            minLength: 1,
            maxLength: 15,
          },
        ),
        fc.array(fc.option(fc.integer({ min: 1000, max: 50_000 }), { nil: undefined }), {
          minLength: 1,
          maxLength: 5,
        }),
        async (notices, answers) => {
          const started: number[] = [];
          const loop = new DueLoop(quiet, 'failed', 10_000);
          const t0 = Date.now();
          loop.start(async () => {
            started.push(Date.now());
            return answers[started.length % answers.length];
          });
          await flush();
          const dues: Array<[number, number]> = [];
          for (const { gap, inMs } of notices) {
            await jest.advanceTimersByTimeAsync(gap);
            dues.push([Date.now(), Date.now() + inMs]);
            loop.notice(`s${dueIn(inMs)}`);
            await flush();
          }
          await jest.advanceTimersByTimeAsync(45_000);
          await loop.stop();
          for (const [from, due] of dues)
            expect(started.some((at) => at >= from && at <= Math.max(due, from + 20))).toBe(true);
          const elapsed = Date.now() - t0;
          // At most one round per notice, besides the rounds the answers (a second or more) plan.
          expect(started.length).toBeLessThanOrEqual(1 + notices.length + elapsed / 1000);
        },
      ),
      { numRuns: 60 },
    );
  });
});
