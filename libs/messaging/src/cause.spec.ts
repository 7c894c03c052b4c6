import fc from 'fast-check';
import { causedBy, causeFor, causeOf, isNews, lastOfEach, wavesByKeys } from './cause';

describe('cause', () => {
  it('takes the event id and correlation id of the event being handled', () => {
    expect(causeOf({ id: 'e-1', correlationId: 'c-1' })).toEqual({ eventId: 'e-1', correlationId: 'c-1' });
  });

  it('names the event as the causation, or else the run', () => {
    expect(causedBy('cust', { correlationId: 'c', eventId: 'e', runId: 'r' })).toEqual({
      subject: 'cust',
      correlationId: 'c',
      causationId: 'e',
    });
    expect(causedBy('cust', { correlationId: 'c', runId: 'r' }).causationId).toBe('r');
    expect(causedBy('cust', { correlationId: 'c' }).causationId).toBeUndefined();
  });

  it("carries the event's trace context to what it causes, and none when it came without one", () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const cause = causeOf({ id: 'e', correlationId: 'c', traceparent, tracestate: 'vendor=1' });
    expect(cause.trace).toEqual({ traceparent, tracestate: 'vendor=1' });
    expect(causedBy('s', cause).trace).toEqual({ traceparent, tracestate: 'vendor=1' });
    expect(causeOf({ id: 'e', correlationId: 'c', traceparent }).trace).toEqual({ traceparent });
    expect(causeOf({ id: 'e', correlationId: 'c' })).not.toHaveProperty('trace');
    expect(causedBy('s', causeOf({ id: 'e', correlationId: 'c' }))).not.toHaveProperty('trace');
  });
});

describe('history is not news', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');
  it('lets a recent fact trigger, and neither a historical one nor one older than the window', () => {
    expect(isNews({ time: '2026-06-01T11:00:00Z' }, 72, now)).toBe(true);
    expect(isNews({ time: '2026-06-01T11:00:00Z', historical: true }, 72, now)).toBe(false);
    expect(isNews({ time: '2026-05-29T11:59:00Z' }, 72, now)).toBe(false);
    expect(isNews({ time: '2026-05-29T12:00:00Z' }, 72, now)).toBe(true);
  });

  it('marks what a late fact causes as historical, and what a recent one causes as news', () => {
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    expect(causeOf({ id: 'e', correlationId: 'c', time: hoursAgo(24 * 30) })).toMatchObject({
      historical: true,
    });
    expect(causeOf({ id: 'e', correlationId: 'c', time: hoursAgo(1) })).not.toHaveProperty('historical');
    fc.assert(
      // Away from the window's edge, where a millisecond between two clock reads would decide.
      fc.property(
        fc.integer({ min: 0, max: 24 * 3650 }).filter((h) => Math.abs(h - 72) > 1),
        (hours) => {
          const cause = causeOf({ id: 'e', correlationId: 'c', time: hoursAgo(hours) });
          return (cause.historical === true) === !isNews({ time: hoursAgo(hours) });
        },
      ),
    );
  });

  it('is never news once historical, whatever the time, and carries the mark to everything caused', () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), fc.integer({ min: 1, max: 8760 }), (time, hours) => {
        const event = { id: 'e', correlationId: 'c', time: time.toISOString(), historical: true as const };
        expect(isNews(event, hours, now)).toBe(false);
        expect(causedBy('s', causeOf(event))).toMatchObject({ historical: true, causationId: 'e' });
        expect(
          causedBy('s', causeOf({ ...event, historical: undefined, time: new Date().toISOString() })),
        ).not.toHaveProperty('historical');
      }),
    );
  });
});

describe('waves by keys', () => {
  const run = fc.array(
    fc.record({
      keys: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { minLength: 1, maxLength: 3 }),
      n: fc.nat(),
    }),
    { maxLength: 60 },
  );

  it('hands every event over once, no key twice in a wave, events sharing a key in their order', () => {
    fc.assert(
      fc.property(run, (events) => {
        const waves = wavesByKeys(events, (e) => e.keys);
        const waveOf = new Map(waves.flatMap((wave, n) => wave.map((e) => [e, n] as const)));
        expect(waves.flat()).toHaveLength(events.length);
        expect(new Set(waves.flat())).toEqual(new Set(events));
        for (const wave of waves) {
          expect(wave.length).toBeGreaterThan(0);
          const keys = wave.flatMap((e) => e.keys);
          expect(new Set(keys).size).toBe(keys.length);
          // Within a wave the run's order is kept.
          const positions = wave.map((e) => events.indexOf(e));
          expect(positions).toEqual([...positions].sort((x, y) => x - y));
        }
        events.forEach((earlier, i) =>
          events.slice(i + 1).forEach((later) => {
            if (earlier.keys.some((k) => later.keys.includes(k)))
              expect(waveOf.get(earlier)!).toBeLessThan(waveOf.get(later)!);
          }),
        );
      }),
    );
  });

  it('puts events with nothing in common in one wave', () => {
    const events = [{ keys: ['a'] }, { keys: ['b'] }, { keys: ['a', 'c'] }, { keys: ['d'] }, { keys: ['c'] }];
    expect(wavesByKeys(events, (e) => e.keys)).toEqual([
      [events[0], events[1], events[3]],
      [events[2]],
      [events[4]],
    ]);
  });

  it("finds each subject's own cause, or the one cause of all", () => {
    const one = { correlationId: 'c', runId: 'r' };
    expect(causeFor(one, 'anyone')).toBe(one);
    const each = new Map([['a', { correlationId: 'c1', eventId: 'e1' }]]);
    expect(causeFor(each, 'a')).toEqual({ correlationId: 'c1', eventId: 'e1' });
    expect(() => causeFor(each, 'b')).toThrow('no cause given for b');
  });
});

describe('last of each', () => {
  it('keeps, for every key, its last event, in the run order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd'), n: fc.nat() })),
        (events) => {
          const last = lastOfEach(events, (e) => e.key);
          expect(last.map((e) => e.key).sort()).toEqual([...new Set(events.map((e) => e.key))].sort());
          for (const e of last)
            expect(events.slice(events.indexOf(e) + 1).some((x) => x.key === e.key)).toBe(false);
          const positions = last.map((e) => events.indexOf(e));
          expect(positions).toEqual([...positions].sort((x, y) => x - y));
        },
      ),
    );
  });
});
