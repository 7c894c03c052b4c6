import { useEffect } from 'react';
import type { LiveEvent } from '../../src/view-model';

/** One event stream per tab, shared by the pages that listen. */
export const liveBus = new EventTarget();

/** Calls `listener` for each live event while mounted; `deps` renew it, as with useEffect. */
export function useLiveEvents(listener: (event: LiveEvent) => void, deps: unknown[]): void {
  useEffect(() => {
    const handler = (e: Event) => listener((e as CustomEvent<LiveEvent>).detail);
    liveBus.addEventListener('crm', handler);
    return () => liveBus.removeEventListener('crm', handler);
  }, deps);
}
