import type { Logger } from '@nestjs/common';

/**
 * Runs a round of work every `intervalMs`, never two rounds at once; a failed round is logged and the next
 * one comes as usual. `stop()` ends the schedule and waits for the round in flight (graceful shutdown).
 */
export class Poller {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly logger: Logger,
    private readonly failure: string,
  ) {}

  start(intervalMs: number, round: () => Promise<unknown>): void {
    this.timer = setInterval(() => {
      this.running ??= round()
        .catch((error: Error) => this.logger.warn({ msg: this.failure, error: error.message }))
        .finally(() => (this.running = undefined));
    }, intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
