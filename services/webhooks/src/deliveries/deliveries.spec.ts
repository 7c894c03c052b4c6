import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { CustomerState } from '@crm/contracts';
import { signWebhook, webhookSecretBytes } from '@crm/service-kit';
import { SEGMENT_FILTER_PATTERN } from '../subscriptions/relayed-types';
import { deliveryBody } from './dispatcher';
import { membershipsOf } from './fan-out';

describe('webhook deliveries', () => {
  it('name every membership a segment filter can match, each a valid filter', () => {
    const memberships = membershipsOf(CustomerState.fixture);
    expect(memberships).toEqual([
      'tier:high-value',
      'value-loyalty:core',
      'membership:gold',
      'stage:maturity',
      'custom:vip-pumps',
      'tag:active',
      'tag:aov:high',
      'tag:freq:high',
    ]);
    for (const m of memberships) expect(m).toMatch(SEGMENT_FILTER_PATTERN);
  });

  it('sign a body that verifies with each of the live secrets during a rotation, and with no other', () => {
    const old = `whsec_${randomBytes(32).toString('base64')}`;
    const next = `whsec_${randomBytes(32).toString('base64')}`;
    const stranger = `whsec_${randomBytes(32).toString('base64')}`;
    fc.assert(
      fc.property(fc.uuid(), fc.jsonValue(), fc.date({ noInvalidDate: true }), (id, data, occurredAt) => {
        const body = deliveryBody({
          event_type: 'crm.segment.changed.v1',
          occurred_at: occurredAt,
          payload: data,
          event_id: id,
          source: '/crm/tagging',
          subject: id,
          correlation_id: id,
        });
        const timestamp = Math.floor(Date.now() / 1000);
        const headers = {
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(
            [webhookSecretBytes(next), webhookSecretBytes(old)],
            id,
            timestamp,
            body,
          ),
        };
        expect(new Webhook(old).verify(body, headers)).toMatchObject({
          type: 'crm.segment.changed.v1',
          event: { id },
        });
        expect(() => new Webhook(next).verify(body, headers)).not.toThrow();
        expect(() => new Webhook(stranger).verify(body, headers)).toThrow();
      }),
      { numRuns: 100 },
    );
  });
});
