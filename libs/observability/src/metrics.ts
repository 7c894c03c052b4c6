import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One registry per process. Labels never carry customer ids. */
export const metricsRegistry = new Registry();
let defaultsCollected = false;

export function collectProcessMetrics(service: string): void {
  if (defaultsCollected) return;
  metricsRegistry.setDefaultLabels({ service });
  // The event-loop delay monitor samples on a timer: every 10 ms by default, 100 wake-ups a second of an
  // otherwise idle process. 200 ms still catches any stall worth an alert.
  collectDefaultMetrics({ register: metricsRegistry, eventLoopMonitoringPrecision: 200 });
  defaultsCollected = true;
}

function getOrCreate<T>(name: string, create: () => T): T {
  return (metricsRegistry.getSingleMetric(name) as T | undefined) ?? create();
}

export function counter(name: string, help: string, labelNames: string[] = []): Counter<string> {
  return getOrCreate(name, () => new Counter({ name, help, labelNames, registers: [metricsRegistry] }));
}

/** A gauge; with `collect`, its value is read at scrape time (for example counted in the database). */
export function gauge(
  name: string,
  help: string,
  labelNames: string[] = [],
  collect?: (this: Gauge<string>) => Promise<void> | void,
): Gauge<string> {
  return getOrCreate(
    name,
    () => new Gauge({ name, help, labelNames, collect, registers: [metricsRegistry] }),
  );
}

export function histogram(
  name: string,
  help: string,
  labelNames: string[] = [],
  buckets?: number[],
): Histogram<string> {
  return getOrCreate(
    name,
    // prom-client takes an explicit `buckets: undefined` as "no buckets", not as its defaults.
    () =>
      new Histogram({
        name,
        help,
        labelNames,
        ...(buckets ? { buckets } : {}),
        registers: [metricsRegistry],
      }),
  );
}
