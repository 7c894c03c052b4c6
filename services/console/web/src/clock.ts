import { useEffect, useState } from 'react';

/** The time now, renewed every second while the component is shown (SLA clocks tick in the browser). */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, []);
  return now;
}

/** Time left to a deadline, `-` once past it: `1h 4m 10s`, `-0m 12s`; a dash without a deadline. */
export function timeLeft(deadline: string | null, now: number): string {
  if (deadline === null) return '—';
  const seconds = (new Date(deadline).getTime() - now) / 1000;
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${sign}${h > 0 ? `${h}h ` : ''}${m}m ${s % 60}s`;
}
