import fc from 'fast-check';
import { localMinuteOfDay } from '@crm/service-kit';
import { decideCareAction, effectiveCap, quietUntil, type CareDecisionInput } from './care-policy';

const marketing: CareDecisionInput = {
  purpose: 'marketing',
  marketingConsent: true,
  recentTouches: 0,
  frequencyCap: 3,
  inServiceMoment: false,
};

describe('decideCareAction', () => {
  it('sends a service message without marketing consent', () => {
    expect(decideCareAction({ ...marketing, purpose: 'service', marketingConsent: false })).toEqual({
      status: 'triggered',
    });
  });

  it('suppresses marketing without consent, or after consent was withdrawn', () => {
    expect(decideCareAction({ ...marketing, marketingConsent: undefined })).toEqual({
      status: 'suppressed',
      reason: 'no-marketing-consent',
    });
    expect(decideCareAction({ ...marketing, marketingConsent: false })).toEqual({
      status: 'suppressed',
      reason: 'no-marketing-consent',
    });
  });

  it('suppresses marketing at the frequency cap and allows it just below', () => {
    expect(decideCareAction({ ...marketing, recentTouches: 3 })).toEqual({
      status: 'suppressed',
      reason: 'frequency-cap',
    });
    expect(decideCareAction({ ...marketing, recentTouches: 2 })).toEqual({ status: 'triggered' });
  });

  it('never puts a promotion on a service moment', () => {
    expect(decideCareAction({ ...marketing, inServiceMoment: true })).toEqual({
      status: 'suppressed',
      reason: 'service-moment',
    });
  });
});

describe('negative preferences', () => {
  const offer = {
    purpose: 'marketing' as const,
    marketingConsent: true,
    recentTouches: 0,
    frequencyCap: 3,
    inServiceMoment: false,
  };

  it('never makes an offer in a category the customer excluded', () => {
    expect(decideCareAction({ ...offer, categoryExcluded: true })).toEqual({
      status: 'suppressed',
      reason: 'excluded-category',
    });
    expect(decideCareAction({ ...offer, categoryExcluded: false })).toEqual({ status: 'triggered' });
  });

  it('still sends service messages about an excluded category', () => {
    expect(decideCareAction({ ...offer, purpose: 'service', categoryExcluded: true })).toEqual({
      status: 'triggered',
    });
  });
});

describe('one contact budget', () => {
  const base = {
    purpose: 'marketing' as const,
    marketingConsent: true,
    recentTouches: 0,
    frequencyCap: 4,
    inServiceMoment: false,
  };

  it('halves the cap for a customer who asked for fewer contacts, never below one', () => {
    expect(decideCareAction({ ...base, recentTouches: 2, reducedContact: true })).toEqual({
      status: 'suppressed',
      reason: 'frequency-cap',
    });
    expect(decideCareAction({ ...base, recentTouches: 2 })).toEqual({ status: 'triggered' });
    expect(effectiveCap(1, true)).toBe(1);
    expect(effectiveCap(0, true)).toBe(0);
    expect(effectiveCap(5, true)).toBe(2);
  });

  it('never blocks a service message by the cap, but honours a refused channel', () => {
    expect(decideCareAction({ ...base, purpose: 'service', recentTouches: 99 })).toEqual({
      status: 'triggered',
    });
    expect(decideCareAction({ ...base, purpose: 'service', serviceConsent: false })).toEqual({
      status: 'suppressed',
      reason: 'no-service-consent',
    });
  });

  it('makes a touch in quiet hours wait until they end in the customer time zone', () => {
    const quietHours = { from: 21 * 60, to: 8 * 60 };
    // 23:30 in Shanghai (UTC+8) is 15:30 UTC; quiet hours end at 08:00 Shanghai = 00:00 UTC next day.
    const decision = decideCareAction({
      ...base,
      now: new Date('2026-03-10T15:30:00Z'),
      timeZone: 'Asia/Shanghai',
      quietHours,
    });
    expect(decision).toEqual({ status: 'triggered', sendAfter: new Date('2026-03-11T00:00:00Z') });
    // 10:00 in Shanghai: not quiet.
    expect(
      decideCareAction({
        ...base,
        now: new Date('2026-03-10T02:00:00Z'),
        timeZone: 'Asia/Shanghai',
        quietHours,
      }),
    ).toEqual({ status: 'triggered' });
  });

  it('quiet hours: any instant, zone and window gives a wait that ends outside the window, within a day', () => {
    const zones = [
      'UTC',
      'Asia/Shanghai',
      'Europe/Berlin',
      'America/New_York',
      'Australia/Lord_Howe',
      'Asia/Kathmandu',
    ];
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2020-01-01T00:00:00Z'),
          max: new Date('2035-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 0, max: 1439 }),
        (now, zone, from, to) => {
          const quiet = { from, to };
          const until = quietUntil(now, zone, quiet);
          const minute = localMinuteOfDay(zone, now.getTime());
          const inside =
            from === to ? false : from < to ? minute >= from && minute < to : minute >= from || minute < to;
          expect(until !== undefined).toBe(inside);
          if (!until) return;
          expect(until.getTime()).toBeGreaterThan(now.getTime());
          expect(until.getTime() - now.getTime()).toBeLessThanOrEqual(26 * 3600_000);
          // It ends at the window's end (or just after, when a DST jump skipped that wall-clock time).
          const endMinute = localMinuteOfDay(zone, until.getTime());
          expect(quietUntil(until, zone, quiet)).toBeUndefined();
          expect((endMinute - to + 1440) % 1440).toBeLessThanOrEqual(60);
        },
      ),
      { numRuns: 300 },
    );
  });
});
