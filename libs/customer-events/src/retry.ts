import { EventDecodeError } from './decode';

/**
 * Retries, as the platform's own consumers do them: a failure that may pass (a database or network error)
 * is retried with exponential backoff and jitter, in place, keeping the partition's order; one that cannot
 * pass (a record that does not decode, a rule the payload breaks) goes to the consumer's dead-letter topic
 * at once, with the reason, and the partition moves on.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** The platform's defaults (EVENT_MAX_ATTEMPTS 5, doubling from 200 ms, at most 5 s). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 };

/** The wait before attempt `attempt + 1`: doubling from the base, capped, with jitter (half to all of it). */
export function backoffDelayMs(
  attempt: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random = Math.random,
): number {
  const ceiling = Math.min(
    policy.maxDelayMs,
    policy.baseDelayMs * 2 ** Math.min(Math.max(attempt - 1, 0), 40),
  );
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

/** Failures that retrying cannot fix: dead-letter them at once. */
export function isPermanentFailure(error: unknown): boolean {
  return error instanceof EventDecodeError || (error instanceof Error && error.name === 'PermanentFailure');
}

/** Marks a handler's failure as permanent (a business rule the event breaks): no retries. */
export class PermanentFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentFailure';
  }
}

export interface RetryOutcome<T> {
  ok: boolean;
  value?: T;
  error?: unknown;
  attempts: number;
}

/**
 * Runs `task` until it succeeds, fails permanently, or has used `maxAttempts`; answers the outcome (never
 * throws), so the caller decides: commit the offset on ok, dead-letter and commit otherwise.
 */
export async function withRetries<T>(
  task: (attempt: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<RetryOutcome<T>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { ok: true, value: await task(attempt), attempts: attempt };
    } catch (error) {
      if (isPermanentFailure(error) || attempt >= policy.maxAttempts)
        return { ok: false, error, attempts: attempt };
      await sleep(backoffDelayMs(attempt, policy));
    }
  }
}
