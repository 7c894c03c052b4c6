import { EVENT_CATALOG, eventRegistry } from './registry';
import { decodeEvent, EventRejectedError, EventRejectionCode } from './envelope/decode';
import { toWireHeaders } from './envelope/cloud-event';
import { TOPIC_CATALOG } from './topics';
import { SERVICE_CATALOG } from './services';
import { serviceKafkaAcls } from './kafka-acls';

function headersFor(type: string) {
  return toWireHeaders({
    id: 'evt-1',
    type,
    source: '/crm/test',
    time: '2024-05-20T09:30:00.000Z',
    subject: 'customer-1',
    correlationId: 'corr-1',
  });
}

function rejectionOf(run: () => unknown): EventRejectedError {
  try {
    run();
  } catch (error) {
    if (error instanceof EventRejectedError) return error;
    throw error;
  }
  throw new Error('expected the event to be rejected');
}

describe('event catalog', () => {
  it('puts every event on a topic from the topic catalog', () => {
    const topics = new Set(TOPIC_CATALOG.map((t) => t.name));
    for (const definition of EVENT_CATALOG) expect(topics).toContain(definition.topic);
  });

  it('gives every topic at least 6 partitions keyed by customer id, but those about segments and webhook subscriptions', () => {
    for (const topic of TOPIC_CATALOG) {
      expect(topic.partitions).toBeGreaterThanOrEqual(6);
      const keys: Record<string, string> = {
        'crm.segments.v1': 'segmentId',
        'crm.webhooks.v1': 'subscriptionId',
        'crm.plans.v1': 'planId',
        'crm.rule-sets.v1': 'ruleSet',
      };
      expect(topic.key).toBe(keys[topic.name] ?? 'customerId');
    }
  });

  it('gives every topic one owner from the service catalog, and each service exactly the access its contracts need', () => {
    const services = SERVICE_CATALOG.map((s) => s.name as string);
    for (const topic of TOPIC_CATALOG) expect(services).toContain(topic.owner);
    const tagging = serviceKafkaAcls('tagging');
    expect(tagging).toContainEqual({
      resource: 'topic',
      name: 'crm.scoring.v1',
      patternType: 'literal',
      operations: ['Write', 'Describe'],
    });
    expect(tagging).toContainEqual({
      resource: 'topic',
      name: 'crm.purchases.v1',
      patternType: 'literal',
      operations: ['Read', 'Describe'],
    });
    expect(tagging).toContainEqual({
      resource: 'topic',
      name: 'crm.dlq.tagging',
      patternType: 'literal',
      operations: ['Write', 'Describe'],
    });
    expect(
      tagging
        .filter((a) => a.operations.includes('Write'))
        .map((a) => a.name)
        .sort(),
    ).toEqual([
      'crm.customer-state.v1',
      'crm.dlq.tagging',
      'crm.rule-sets.v1',
      'crm.scoring.v1',
      'crm.segments.v1',
    ]);
    // customer-profile consumes nothing: it may only write its two topics and its dead-letter topic.
    expect(
      serviceKafkaAcls('customer-profile').filter(
        (a) => a.operations.includes('Read') && a.resource === 'topic',
      ),
    ).toEqual([]);
  });

  it("gives every event its topic's key field", () => {
    for (const definition of EVENT_CATALOG) {
      const key = TOPIC_CATALOG.find((t) => t.name === definition.topic)!.key;
      expect({
        type: definition.type,
        key: typeof (definition.fixture as Record<string, unknown>)[key],
      }).toEqual({
        type: definition.type,
        key: 'string',
      });
    }
  });

  it.each(EVENT_CATALOG.map((d) => [d.type, d] as const))(
    'round-trips the %s fixture',
    (type, definition) => {
      const bytes = Buffer.from(JSON.stringify(definition.fixture));
      const envelope = decodeEvent(eventRegistry, headersFor(type), bytes);
      expect(envelope.type).toBe(type);
      expect(envelope.subject).toBe('customer-1');
      expect(envelope.correlationId).toBe('corr-1');
      expect(JSON.parse(JSON.stringify(envelope.data))).toEqual(definition.fixture);
    },
  );

  const keyed = EVENT_CATALOG.filter((d) => d.topic !== 'crm.segments.v1').map((d) => {
    const key = TOPIC_CATALOG.find((t) => t.name === d.topic)!.key;
    return [d.type, key, d] as const;
  });
  it.each(keyed)('rejects a %s payload whose %s is not a uuid, naming the field', (type, key, definition) => {
    const broken = { ...definition.fixture, [key]: 'not-a-uuid' };
    const rejection = rejectionOf(() => decodeEvent(eventRegistry, headersFor(type), JSON.stringify(broken)));
    expect(rejection.code).toBe(EventRejectionCode.InvalidPayload);
    expect(rejection.fields).toContain(key);
    expect(rejection.message).toContain(key);
  });

  it('names a nested field when a purchase item is invalid', () => {
    const fixture = eventRegistry.get('crm.purchase.recorded.v1').fixture as { items: object[] };
    const broken = { ...fixture, items: [{ sku: 'A', category: 'c', quantity: 0, unitPrice: 1 }] };
    const rejection = rejectionOf(() =>
      decodeEvent(eventRegistry, headersFor('crm.purchase.recorded.v1'), JSON.stringify(broken)),
    );
    expect(rejection.fields).toEqual(['items.0.quantity']);
  });

  it('rejects an unknown type or version', () => {
    const rejection = rejectionOf(() =>
      decodeEvent(eventRegistry, headersFor('crm.purchase.recorded.v9'), '{}'),
    );
    expect(rejection.code).toBe(EventRejectionCode.UnknownType);
  });

  it('rejects bytes that are not JSON', () => {
    const rejection = rejectionOf(() =>
      decodeEvent(eventRegistry, headersFor('crm.purchase.recorded.v1'), Buffer.from('{oops')),
    );
    expect(rejection.code).toBe(EventRejectionCode.Unparseable);
  });

  it('rejects an event without ce_id', () => {
    const headers = headersFor('crm.purchase.recorded.v1');
    delete headers.ce_id;
    const rejection = rejectionOf(() => decodeEvent(eventRegistry, headers, '{}'));
    expect(rejection.code).toBe(EventRejectionCode.MissingHeader);
    expect(rejection.fields).toEqual(['ce_id']);
  });
});
