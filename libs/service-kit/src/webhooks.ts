import { createHmac, type KeyObject } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * Sending webhooks as the Standard Webhooks specification describes (https://www.standardwebhooks.com):
 * `webhook-id`, `webhook-timestamp` and `webhook-signature` headers, secrets `whsec_<base64>`. Shared by the
 * care channel gateway (growth-campaigns) and the webhooks service.
 */

/** A Standard Webhooks secret, `whsec_<base64>`: the bytes that key the signature. */
export function webhookSecretBytes(secret: string, setting = 'the webhook secret'): Buffer {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  if (key.length < 24) throw new Error(`${setting} must be whsec_ followed by at least 24 bytes, base64`);
  return key;
}

/**
 * The Standard Webhooks signature of a message: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`; with
 * several secrets (a rotation in progress), one signature per secret separated by spaces, as the
 * specification allows, so receivers holding either secret verify it.
 */
export function signWebhook(
  secrets: Buffer | KeyObject | (Buffer | KeyObject)[],
  id: string,
  timestamp: number,
  body: string,
): string {
  return (Array.isArray(secrets) ? secrets : [secrets])
    .map(
      (secret) => `v1,${createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64')}`,
    )
    .join(' ');
}

/** The wait before attempt `attempts + 1`: doubling from `base`, capped, with jitter (half to all of it). */
export function retryDelayMs(attempts: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempts - 1, 40));
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

export interface WebhookTimeouts {
  connectTimeoutMs: number;
  totalTimeoutMs: number;
}

/**
 * POSTs `body` with connect and total timeouts and answers the status code; the response body is read and
 * dropped. A redirect is answered like any status (callers treat it as a failure, never follow it).
 */
export function postWebhook(
  url: URL,
  body: string,
  headers: Record<string, string>,
  timeouts: WebhookTimeouts,
): Promise<number> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    });
    const total = setTimeout(
      () => req.destroy(new Error(`webhook took longer than ${timeouts.totalTimeoutMs} ms`)),
      timeouts.totalTimeoutMs,
    );
    const connect = setTimeout(
      () => req.destroy(new Error(`webhook did not connect within ${timeouts.connectTimeoutMs} ms`)),
      timeouts.connectTimeoutMs,
    );
    req.once('socket', (socket) => {
      if (!socket.connecting) clearTimeout(connect);
      else socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connect));
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
