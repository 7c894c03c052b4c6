import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { retryDelayMs } from './care-dispatcher';
import { signWebhook, webhookSecretBytes } from './channel-adapter';

describe('webhook signatures', () => {
  it('verify with the Standard Webhooks reference library for any message', () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const verifier = new Webhook(secret);
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 80 }), fc.json(), (id, body) => {
        const timestamp = Math.floor(Date.now() / 1000);
        const signature = signWebhook(webhookSecretBytes(secret), id, timestamp, body);
        const headers = {
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signature,
        };
        expect(() => verifier.verify(body, headers)).not.toThrow();
        expect(() => verifier.verify(`${body} `, headers)).toThrow();
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a secret too short to sign with, without printing it', () => {
    expect(() => webhookSecretBytes('whsec_c2hvcnQ=', 'CARE_WEBHOOK_SECRET')).toThrow(
      /CARE_WEBHOOK_SECRET must be/,
    );
    expect(() => webhookSecretBytes('whsec_c2hvcnQ=')).not.toThrow(/c2hvcnQ/);
  });
});

describe('retry delays', () => {
  it('double from the base with jitter between half and all of it, never past the maximum', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempts, r) => {
          const delay = retryDelayMs(attempts, 1000, 3_600_000, () => r);
          const ceiling = Math.min(3_600_000, 1000 * 2 ** Math.min(attempts - 1, 40));
          expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
    expect(retryDelayMs(1, 1000, 3_600_000, () => 1)).toBe(1000);
    expect(retryDelayMs(4, 1000, 3_600_000, () => 1)).toBe(8000);
    expect(retryDelayMs(30, 1000, 3_600_000, () => 0)).toBe(1_800_000);
  });
});
