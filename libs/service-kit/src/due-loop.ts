import { CLOCK_CHANNEL, dueInMs } from '@crm/persistence';
import type { Logger } from '@nestjs/common';

const DUE_NOW_PAUSE_MS = 20;

/**
 * Runs a round of work when there is some, instead of on a short poll: each round answers how many
 * milliseconds until its next known due time (`undefined`: none known), the loop sleeps until then, at
 * most `fallbackMs`, and `wake()` (a notification that work arrived) runs a round at once. Never two rounds
 * at the same time; a wake during a round runs another right after it. A failed round is logged and
 * retried after `retryMs`. `stop()` ends the schedule and waits for the round in flight.
 *
 * A notification that says when its work is due (`dueIn`, see `@crm/persistence`) runs no round when the loop
 * already plans one by then; it only brings the planned round forward. A timer days away, stored while the loop
 * sleeps its fallback, costs no round at all. Such a round runs at most the notifying transaction's remaining
 * length late (the due time is measured from the notifying statement, the notification arrives at commit).
 */
export class DueLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  private round?: () => Promise<number | undefined>;
  /** When (`Date.now()` ms) the next round is planned, while one is; undefined while a round runs. */
  private plannedAt?: number;
  /** The earliest due time notified while a round ran, which the round may not have seen. */
  private dueDuringRound?: number;

  constructor(
    private readonly logger: Logger,
    private readonly failure: string,
    private readonly fallbackMs: number,
    private readonly retryMs = Math.min(fallbackMs, 5000),
  ) {}

  start(round: () => Promise<number | undefined>): void {
    this.round = round;
    this.stopped = false;
    this.wake();
  }

  wake(): void {
    if (this.stopped || !this.round) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.plannedAt = undefined;
    this.running = this.runRound(this.round);
  }

  /** Work due at `at` (`Date.now()` ms) arrived: a round runs by then, at once only if it is due now. */
  wakeBy(at: number): void {
    if (this.stopped || !this.round) return;
    if (this.running) {
      this.dueDuringRound = Math.min(this.dueDuringRound ?? Infinity, at);
      return;
    }
    if (this.plannedAt !== undefined && this.plannedAt <= at) return;
    const delay = at - Date.now();
    if (delay <= DUE_NOW_PAUSE_MS) return this.wake();
    this.schedule(delay);
  }

  /** A notification's payload: `wakeBy` its due time when it names one, else `wake`. */
  notice(payload: string): void {
    const inMs = dueInMs(payload);
    if (inMs === undefined) this.wake();
    else this.wakeBy(Date.now() + inMs);
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.plannedAt = Date.now() + delay;
    this.timer = setTimeout(() => this.wake(), delay);
  }

  private async runRound(round: () => Promise<number | undefined>): Promise<void> {
    let delay: number;
    try {
      const next = await round();
      // Work due now (or held by another replica for a moment) is looked at again shortly, never in a spin.
      delay =
        next === undefined || !Number.isFinite(next)
          ? this.fallbackMs
          : Math.max(DUE_NOW_PAUSE_MS, Math.min(Math.ceil(next), this.fallbackMs));
    } catch (error) {
      this.logger.warn({ msg: this.failure, error: (error as Error).message });
      delay = this.retryMs;
    }
    this.running = undefined;
    if (this.stopped) return;
    if (this.again) {
      this.again = false;
      delay = 0;
    } else if (this.dueDuringRound !== undefined)
      delay = Math.min(delay, Math.max(0, this.dueDuringRound - Date.now()));
    this.dueDuringRound = undefined;
    this.schedule(delay);
  }

  /**
   * Starts the loop woken by a notification channel (and after the listening connection reconnects, when
   * notifications may have been missed): the shape of every durable worker.
   */
  async startOnChannel(
    notifications: {
      listen(channel: string, handler: (payload: string) => void): Promise<unknown>;
      onReconnect(handler: () => void): unknown;
    },
    channel: string,
    round: () => Promise<number | undefined>,
  ): Promise<void> {
    await notifications.listen(channel, (payload) => this.notice(payload));
    // A moved service clock (tests, CLOCK_CONTROL) may have made timers due: look again.
    await notifications.listen(CLOCK_CHANNEL, () => this.wake());
    notifications.onReconnect(() => this.wake());
    this.start(round);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.plannedAt = undefined;
    await this.running;
  }
}
