import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SERVICE_CATALOG } from '@crm/contracts';
import { eventually, startPlatform, type RunningPlatform } from '@crm/testing';
import { call, daysAgo } from './http';

/**
 * Traces leave the services over OTLP/HTTP (the official exporter, configured by the standard OTEL_*
 * variables) to a receiver this test runs: one purchase is one trace spanning all six services, rooted in
 * the HTTP request that recorded it, with every parent link pointing at a span of the same trace.
 */
interface CollectedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
}
const spans: CollectedSpan[] = [];
let receiver: Server;
let platform: RunningPlatform;

const hex = (id: unknown): string =>
  typeof id !== 'string' || id === ''
    ? ''
    : /^[0-9a-f]+$/i.test(id)
      ? id.toLowerCase()
      : Buffer.from(id, 'base64').toString('hex');

function collect(body: string): void {
  const request = JSON.parse(body) as {
    resourceSpans?: {
      resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
      scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string }[] }[];
    }[];
  };
  for (const resource of request.resourceSpans ?? []) {
    const service =
      resource.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? 'unknown';
    for (const scope of resource.scopeSpans ?? [])
      for (const span of scope.spans ?? [])
        spans.push({
          service,
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: hex(span.parentSpanId),
          name: span.name,
        });
  }
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') collect(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  platform = await startPlatform(
    {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    },
    600,
    `otlp_${randomUUID().slice(0, 6)}`,
  );
}, 180_000);

afterAll(async () => {
  await platform?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('OTLP traces', () => {
  it('export one trace per purchase across all six services, every parent link inside it', async () => {
    const agent = platform.token('agent');
    const profile = platform.url('customer-profile');
    const registered = await call('POST', `${profile}/customers`, agent, {
      externalRef: `OTLP-${randomUUID().slice(0, 8)}`,
      kind: 'company',
      name: 'Traced Valves AG',
      relationshipStartedAt: daysAgo(500),
    });
    expect(registered.status).toBe(201);
    const id = registered.body.id as string;
    await eventually(
      'tagging knows the customer',
      async () => (await call('GET', `${platform.url('tagging')}/customers/${id}`, agent)).status === 200,
      30_000,
    );
    const purchase = await call('POST', `${profile}/customers/${id}/purchases`, agent, {
      orderId: `OTLP-${id}`,
      amount: 90000,
      currency: 'EUR',
      occurredAt: daysAgo(0),
      items: [{ sku: 'V-1', category: 'valves', quantity: 3, unitPrice: 30000 }],
    });
    expect(purchase.status).toBe(201);

    // The purchase's trace: rooted in customer-profile's HTTP server span, and holding the purchase's consumers.
    const root = () =>
      spans.find(
        (s) =>
          s.service === 'customer-profile' &&
          s.parentSpanId === '' &&
          s.name.startsWith('POST') &&
          spans.some((c) => c.traceId === s.traceId && c.name === 'crm.purchases.v1 process'),
      );
    const services = SERVICE_CATALOG.map((s) => s.name).sort();
    await eventually(
      'one trace reaching all six services',
      async () => {
        const r = root();
        return (
          r !== undefined &&
          [...new Set(spans.filter((s) => s.traceId === r.traceId).map((s) => s.service))].sort().length ===
            services.length
        );
      },
      60_000,
      250,
    );
    const trace = spans.filter((s) => s.traceId === root()!.traceId);
    expect([...new Set(trace.map((s) => s.service))].sort()).toEqual(services);
    const ids = new Set(trace.map((s) => s.spanId));
    await eventually(
      'every parent exported',
      async () => {
        const now = spans.filter((s) => s.traceId === root()!.traceId);
        const known = new Set(now.map((s) => s.spanId));
        return now.every((s) => s.parentSpanId === '' || known.has(s.parentSpanId));
      },
      15_000,
      250,
    );
    const complete = spans.filter((s) => s.traceId === root()!.traceId);
    const known = new Set(complete.map((s) => s.spanId));
    expect(complete.filter((s) => s.parentSpanId === '')).toHaveLength(1);
    expect(complete.filter((s) => s.parentSpanId !== '' && !known.has(s.parentSpanId))).toEqual([]);
    expect(ids.size).toBeGreaterThan(6);
    // The official instrumentations: an HTTP server span and Postgres spans beside the platform's own.
    expect(complete.some((s) => s.name.startsWith('POST'))).toBe(true);
    expect(complete.some((s) => /^(pg\.query|SELECT|INSERT|UPDATE)/.test(s.name))).toBe(true);
    expect(complete.some((s) => s.name === 'crm.purchases.v1 process')).toBe(true);
    process.stdout.write(
      `otlp trace: ${complete.length} spans across ${services.length} services, one root\n`,
    );
  }, 120_000);
});
