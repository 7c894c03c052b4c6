import { addOpenSeconds, openSecondsBetween, type SlaCalendar } from './business-calendar';

/**
 * A ticket's SLA clock: open time used so far, and since when it has been running (null while the ticket
 * waits on the customer). Pausing keeps the time already used; a new target or calendar is applied to it.
 */
export interface SlaClock {
  usedSeconds: number;
  runningSince: Date | null;
}

export function startClock(now: Date): SlaClock {
  return { usedSeconds: 0, runningSince: now };
}

export function usedSeconds(calendar: SlaCalendar, clock: SlaClock, now: Date): number {
  return clock.usedSeconds + (clock.runningSince ? openSecondsBetween(calendar, clock.runningSince, now) : 0);
}

export function pauseClock(calendar: SlaCalendar, clock: SlaClock, now: Date): SlaClock {
  if (!clock.runningSince) return clock;
  return { usedSeconds: usedSeconds(calendar, clock, now), runningSince: null };
}

export function resumeClock(clock: SlaClock, now: Date): SlaClock {
  return clock.runningSince ? clock : { usedSeconds: clock.usedSeconds, runningSince: now };
}

/**
 * When the clock will have used `targetSeconds`; null while paused. A target already used up is due at
 * the instant it was reached if that can be told, else now.
 */
export function dueAt(calendar: SlaCalendar, clock: SlaClock, targetSeconds: number, now: Date): Date | null {
  if (!clock.runningSince) return null;
  const remaining = targetSeconds - clock.usedSeconds;
  if (remaining <= 0) return now;
  return addOpenSeconds(calendar, clock.runningSince, remaining);
}
