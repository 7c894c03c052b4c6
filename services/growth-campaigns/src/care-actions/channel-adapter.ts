import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
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

/** A Standard Webhooks secret, `whsec_<base64>`: the bytes that key the signature. */
export function webhookSecretBytes(secret: string): Buffer {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  if (key.length < 24)
    throw new Error('CARE_WEBHOOK_SECRET must be whsec_ followed by at least 24 bytes, base64');
  return key;
}

/**
 * The Standard Webhooks signature of a message: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`.
 * Receivers verify it with the same secret (and reject timestamps too far from their clock).
 */
export function signWebhook(secret: Buffer, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
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
  private readonly secret: Buffer;

  constructor(private readonly options: WebhookOptions) {
    this.url = new URL(options.url);
    this.secret = webhookSecretBytes(options.secret);
  }

  async deliver(touch: OutboundTouch): Promise<void> {
    const body = JSON.stringify(touch);
    const timestamp = Math.floor(Date.now() / 1000);
    const status = await this.post(body, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
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
    const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(this.url, { method: 'POST', headers });
      const total = setTimeout(
        () => req.destroy(new Error(`webhook took longer than ${this.options.totalTimeoutMs} ms`)),
        this.options.totalTimeoutMs,
      );
      const connect = setTimeout(
        () => req.destroy(new Error(`webhook did not connect within ${this.options.connectTimeoutMs} ms`)),
        this.options.connectTimeoutMs,
      );
      req.once('socket', (socket) => {
        if (!socket.connecting) clearTimeout(connect);
        else
          socket.once(this.url.protocol === 'https:' ? 'secureConnect' : 'connect', () =>
            clearTimeout(connect),
          );
      });
      req.once('response', (response) => {
        response.resume();
        response.once('end', () => {
          clearTimeout(total);
          resolve(response.statusCode ?? 0);
        });
      });
      req.once('error', (error) => {
        clearTimeout(total);
        clearTimeout(connect);
        reject(error);
      });
      req.end(body);
    });
  }
}
