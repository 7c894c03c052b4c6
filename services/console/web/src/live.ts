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

/** Loads on mount and whenever `load` changes, and again when the event stream reconnects (events were missed). */
export function useLoad(load: () => Promise<unknown>): void {
  useEffect(() => void load(), [load]);
  useEffect(() => {
    const again = () => void load();
    liveBus.addEventListener('reconnected', again);
    return () => liveBus.removeEventListener('reconnected', again);
  }, [load]);
}
