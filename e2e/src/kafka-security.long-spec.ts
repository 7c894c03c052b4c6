import { randomUUID } from 'node:crypto';
import { ConsumerGroups, CustomerErased, toWireHeaders, Topics } from '@crm/contracts';
import {
  eventually,
  startPlatform,
  startSecuredKafka,
  type RunningPlatform,
  type SecuredKafka,
} from '@crm/testing';
import { call, daysAgo } from './http';

/**
 * Kafka over TLS with SASL/SCRAM-SHA-512 and the standard KRaft authorizer, one user per service with exactly the
 * ACLs its contracts need: the cascade works; a client without TLS, one that does not trust the broker's
 * certificate, an unauthenticated client, a wrong password and a service
 * writing to a topic it does not own are refused; a record whose ce_source is not the topic's owner is
 * dead-lettered by every consumer, never applied.
 */
let kafka: SecuredKafka;
let platform: RunningPlatform;

beforeAll(async () => {
  kafka = await startSecuredKafka(Number(process.env.CRM_TEST_SCRAM_KAFKA_PORT ?? 19192));
  platform = await startPlatform({}, 500, `scram_${randomUUID().slice(0, 6)}`, (name) => kafka.envFor(name));
}, 180_000);

afterAll(async () => {
  await platform?.stop();
  await kafka?.stop();
});

describe('Kafka with TLS, SCRAM and ACLs', () => {
  it('runs the cascade with one user per service over TLS and refuses everyone else', async () => {
    const agent = platform.token('agent');
    const profile = platform.url('customer-profile');
    const registered = await call('POST', `${profile}/customers`, agent, {
      externalRef: `SCRAM-${randomUUID().slice(0, 8)}`,
      kind: 'company',
      name: 'Secure Pumps GmbH',
      relationshipStartedAt: daysAgo(100),
    });
    expect(registered.status).toBe(201);
    const id = registered.body.id as string;
    const purchase = await call('POST', `${profile}/customers/${id}/purchases`, agent, {
      orderId: `SCRAM-${id}`,
      amount: 2500,
      currency: 'EUR',
      occurredAt: daysAgo(0),
      items: [{ sku: 'P-1', category: 'pumps', quantity: 1, unitPrice: 2500 }],
    });
    expect(purchase.status).toBe(201);
    // customer-profile → tagging (scores) → growth-campaigns (care action) → interaction-log, each as itself.
    await eventually(
      'the cascade reached tagging, growth-campaigns and interaction-log',
      async () =>
        (await call('GET', `${platform.url('tagging')}/customers/${id}`, agent)).status === 200 &&
        (
          (await call('GET', `${platform.url('growth-campaigns')}/customers/${id}/care-actions`, agent))
            .body as unknown[]
        ).length > 0 &&
        (
          (await call('GET', `${platform.url('interaction-log')}/customers/${id}/timeline`, agent)).body as {
            items: unknown[];
          }
        ).items.length > 0,
      60_000,
      500,
    );

    // The right password, but without TLS: the listener speaks nothing else.
    const cleartext = kafka
      .client(kafka.users.get('tagging'), { ssl: false, connectionTimeout: 2000, requestTimeout: 3000 })
      .producer();
    await expect(cleartext.connect()).rejects.toThrow();
    await cleartext.disconnect().catch(() => undefined);
    // TLS trusting only the system's CAs: the broker's certificate is not one of theirs.
    const untrusting = kafka
      .client(kafka.users.get('tagging'), { ssl: { rejectUnauthorized: true } })
      .producer();
    await expect(untrusting.connect()).rejects.toThrow(/certificate/i);
    await untrusting.disconnect().catch(() => undefined);
    // No credentials: the SASL listener answers nothing but the version handshake.
    const anonymous = kafka.client(undefined).producer();
    await expect(
      anonymous
        .connect()
        .then(() => anonymous.send({ topic: Topics.customers, messages: [{ key: id, value: '{}' }] })),
    ).rejects.toThrow();
    await anonymous.disconnect().catch(() => undefined);
    // A wrong password.
    const impostor = kafka.client({ username: 'crm-tagging', password: 'not-the-password' }).producer();
    await expect(impostor.connect()).rejects.toThrow(/SASL|authentication/i);
    // tagging may write crm.scoring.v1, but not crm.purchases.v1 (customer-profile owns it).
    const tagging = kafka.client(kafka.users.get('tagging')).producer();
    await tagging.connect();
    await expect(
      tagging.send({ topic: Topics.purchases, messages: [{ key: id, value: '{}' }] }),
    ).rejects.toThrow(/authoriz/i);
    await tagging.disconnect();

    // customer-profile may write crm.customers.v1, but a record there claiming another source is not applied.
    const profileClient = kafka.client(kafka.users.get('customer-profile')).producer();
    await profileClient.connect();
    const forgedId = randomUUID();
    await profileClient.send({
      topic: CustomerErased.topic,
      messages: [
        {
          key: id,
          headers: toWireHeaders({
            id: forgedId,
            type: CustomerErased.type,
            source: '/crm/referral',
            time: new Date().toISOString(),
            subject: id,
            correlationId: forgedId,
          }),
          value: JSON.stringify({ customerId: id, erasedAt: new Date().toISOString() }),
        },
      ],
    });
    await profileClient.disconnect();
    for (const group of [ConsumerGroups.referral, ConsumerGroups.tagging, ConsumerGroups.interactionLog]) {
      await eventually(
        `the forged record dead-lettered by ${group}`,
        async () => (await kafka.deadLetters(group)).some((l) => l.eventId === forgedId),
        30_000,
        500,
      );
      const letter = (await kafka.deadLetters(group)).find((l) => l.eventId === forgedId)!;
      expect(letter.code).toBe('SOURCE_NOT_OWNER');
      expect(letter.reason).toContain('/crm/customer-profile');
    }
  }, 180_000);
});
