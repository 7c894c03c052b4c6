import { Logger } from '@nestjs/common';

export interface OutboundTouch {
  careActionId: string;
  customerId: string;
  channel: string;
  action: string;
  purpose: string;
  /** The channel must deliver a touch with the same key at most once. */
  idempotencyKey: string;
}

/** The port through which care actions reach customers; drivers are swappable by configuration. */
export interface ChannelAdapter {
  deliver(touch: OutboundTouch): Promise<void>;
}

export const CHANNEL_ADAPTER = Symbol('CHANNEL_ADAPTER');

/** Writes the touch to the log (no personal data: ids only). The default for local runs. */
export class LogChannelAdapter implements ChannelAdapter {
  private readonly logger = new Logger('LogChannelAdapter');

  async deliver(touch: OutboundTouch): Promise<void> {
    this.logger.log({ msg: 'care touch delivered', ...touch });
  }
}

/** POSTs the touch to a messaging gateway with an Idempotency-Key header. */
export class WebhookChannelAdapter implements ChannelAdapter {
  constructor(private readonly url: string) {}

  async deliver(touch: OutboundTouch): Promise<void> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': touch.idempotencyKey },
      body: JSON.stringify(touch),
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw new Error(`webhook answered ${response.status}`);
  }
}
