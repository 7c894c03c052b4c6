import { CLOCK_CHANNEL } from '@crm/persistence';
import type { Logger } from '@nestjs/common';

const DUE_NOW_PAUSE_MS = 20;

/**
 * Runs a round of work when there is some, instead of on a short poll: each round answers how many
 * milliseconds until its next known due time (`undefined`: none known), the loop sleeps until then, at
 * most `fallbackMs`, and `wake()` (a notification that work arrived) runs a round at once. Never two rounds
 * at the same time; a wake during a round runs another right after it. A failed round is logged and
 * retried after `retryMs`. `stop()` ends the schedule and waits for the round in flight.
 */
export class DueLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  private round?: () => Promise<number | undefined>;

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
    this.running = this.runRound(this.round);
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
    }
    this.timer = setTimeout(() => this.wake(), delay);
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
    await notifications.listen(channel, () => this.wake());
    // A moved service clock (tests, CLOCK_CONTROL) may have made timers due: look again.
    await notifications.listen(CLOCK_CHANNEL, () => this.wake());
    notifications.onReconnect(() => this.wake());
    this.start(round);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
