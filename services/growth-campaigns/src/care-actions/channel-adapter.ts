import { createSecretKey, type KeyObject } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { postWebhook, signWebhook, webhookSecretBytes } from '@crm/service-kit';

export { signWebhook, webhookSecretBytes };

export interface OutboundTouch {
  careActionId: string;
  customerId: string;
  channel: string;
  action: string;
  purpose: string;
  /** The channel must deliver a touch with the same key at most once. */
  idempotencyKey: string;
  /** Written channels: the rendered template (no personal data; the address is looked up by the driver). */
  message?: {
    template: string;
    locale: string;
    subject: string;
    body: string;
    /** The unsubscribe link of a marketing message. */
    unsubscribe?: string;
  };
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

export interface WebhookOptions {
  url: string;
  /** `whsec_…`: signs every request (Standard Webhooks). */
  secret: string;
  connectTimeoutMs: number;
  totalTimeoutMs: number;
}

/**
 * POSTs the touch to a messaging gateway, signed as Standard Webhooks describes (`webhook-id` is the
 * idempotency key, so a retry carries the same id), with connect and total timeouts; a redirect is a
 * failure, never followed.
 */
export class WebhookChannelAdapter implements ChannelAdapter {
  private readonly url: URL;
  /** A KeyObject: Node re-checks a raw Buffer key on every HMAC (see libs/privacy's PiiCipher). */
  private readonly secret: KeyObject;

  constructor(private readonly options: WebhookOptions) {
    this.url = new URL(options.url);
    this.secret = createSecretKey(webhookSecretBytes(options.secret, 'CARE_WEBHOOK_SECRET'));
  }

  async deliver(touch: OutboundTouch): Promise<void> {
    const body = JSON.stringify(touch);
    const timestamp = Math.floor(Date.now() / 1000);
    const status = await this.post(body, {
      'content-type': 'application/json',
      'idempotency-key': touch.idempotencyKey,
      'webhook-id': touch.idempotencyKey,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(this.secret, touch.idempotencyKey, timestamp, body),
    });
    if (status >= 300 && status < 400)
      throw new Error(`webhook answered a redirect (${status}); not followed`);
    if (status < 200 || status >= 300) throw new Error(`webhook answered ${status}`);
  }

  private post(body: string, headers: Record<string, string>): Promise<number> {
    return postWebhook(this.url, body, headers, {
      connectTimeoutMs: this.options.connectTimeoutMs,
      totalTimeoutMs: this.options.totalTimeoutMs,
    });
  }
}
