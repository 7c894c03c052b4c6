import { mintToken } from '@crm/auth';
/** Percentile of already sorted numbers (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(1);
  return `n=${sorted.length} p50=${f(percentile(sorted, 50))} ms p95=${f(percentile(sorted, 95))} ms p99=${f(percentile(sorted, 99))} ms max=${f(sorted[sorted.length - 1] ?? NaN)} ms`;
}

export function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1]
    ? process.argv[index + 1]
    : (process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`] ?? fallback);
}

/** A token for the running platform (`npm start`'s development secret unless JWT_SECRET says), as an integration. */
export function benchToken(): string {
  return mintToken(process.env.JWT_SECRET ?? 'crm-local-development-secret-not-for-production', 'bench', [
    'integration',
  ]);
}
