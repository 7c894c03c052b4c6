import { randomUUID } from 'node:crypto';
import { Topics } from '@crm/contracts';
import {
  eventually,
  readTopicsToEnd,
  hostileCsvFiles,
  importWithPeakRss,
  startPlatform,
  untilConsumersCaughtUp,
  type RunningPlatform,
} from '@crm/testing';
import { call, daysAgo } from './http';

/** Bulk import through the public API: streamed CSV in, NDJSON report out; bad rows never stop good ones. */
let platform: RunningPlatform;
let integration: string;

beforeAll(async () => {
  // Batches of 100 rows: the batching and resuming below are exercised with a few hundred rows.
  platform = await startPlatform({ IMPORT_BATCH_ROWS: '100' });
  integration = platform.token('integration');
});

afterAll(async () => {
  // The cascade of what this suite imported is done before the next suite's services read the same topics.
  await untilConsumersCaughtUp(process.env.KAFKA_BROKERS!, { timeoutMs: 120_000 });
  await platform?.stop();
});

async function importCsv(kind: string, csv: string, importId?: string) {
  const name = importId === undefined ? '' : `?importId=${encodeURIComponent(importId)}`;
  const response = await fetch(`${platform.url('customer-profile')}/imports/${kind}${name}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${integration}`, 'content-type': 'text/csv' },
    body: csv,
  });
  const text = await response.text();
  if (response.status !== 200) return { status: response.status, body: JSON.parse(text), lines: [] };
  const lines = text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  return { status: response.status, body: undefined, lines };
}

describe('CSV bulk import', () => {
  const run = randomUUID().slice(0, 6).toUpperCase();

  // First, on a service at rest: a big import before it grows V8's heap (not live data) and would be counted.
  it('reads hostile files in bounded memory and reports each by line: an unclosed quote, a 50 MiB field, a million columns', async () => {
    const profile = platform.url('customer-profile');
    const metrics = `${profile.replace(/\/profile$/, '')}/metrics`;
    for (const file of hostileCsvFiles()) {
      const result = await importWithPeakRss(`${profile}/imports/customers`, metrics, integration, file);
      expect(result.status).toBe(200);
      const errors = result.lines.filter((l) => l.type === 'error');
      expect(errors[0]).toMatchObject({ line: 2, field: 'row' });
      expect(String(errors[0].message)).toMatch(/longer than 10000 characters|more than 100 fields/);
      expect(result.lines.at(-1)).toMatchObject({ type: 'summary' });
      expect(result.peakRssBytes).toBeLessThan(256 * 1024 * 1024);
    }
  }, 180_000);

  it('imports the good customer and purchase rows, reports each bad one by line and field, and is safe to re-run', async () => {
    const customers = [
      'externalRef,kind,name,industry,decisionRole,needTags,cooperationYears,email,cumulativeSpend,valueTier',
      `C${run}01,company,"A Co., Ltd.",manufacturing,Director of Purchasing,cost reduction;supply-chain optimisation,2,a-${run}@example.test,5000000,high-value`,
      `C${run}02,company,B Ltd.,IT services,technical lead,,0.5,not-an-email,800000,potential`,
      `C${run}03,robot,C GmbH,retail,,,1,c-${run}@example.test,,`,
      `C${run}04,person,Bro"ken,retail,,,1,,,`,
      `C${run}05,person,Dana,retail,,,1,d-${run}@example.test,,`,
    ].join('\r\n');
    const first = await importCsv('customers', customers);
    expect(first.status).toBe(200);
    const errors = first.lines.filter((l) => l.type === 'error');
    expect(errors.map((e) => `${e.line}:${e.field}`)).toEqual(['3:email', '4:kind', '5:row']);
    expect(first.lines.at(-1)).toMatchObject({
      type: 'summary',
      records: 5,
      imported: 2,
      failed: 3,
      ignoredColumns: ['cumulativeSpend', 'valueTier'],
    });

    const again = await importCsv('customers', customers);
    const conflicts = again.lines.filter((l) => l.type === 'error' && l.field === 'externalRef');
    expect(conflicts.map((e) => e.line)).toEqual([2, 6]);
    expect(again.lines.at(-1)).toMatchObject({ imported: 0, failed: 5 });

    const purchases = [
      'externalRef,orderId,occurredAt,currency,sku,category,quantity,unitPrice',
      `C${run}01,SO-${run}-1,${daysAgo(20)},EUR,P-1,pumps,2,30000`,
      `C${run}01,SO-${run}-1,${daysAgo(20)},EUR,V-1,valves,1,10000`,
      `C${run}01,SO-${run}-2,${daysAgo(400)},EUR,P-1,pumps,one,30000`,
      `C${run}99,SO-${run}-3,${daysAgo(10)},EUR,P-1,pumps,1,100`,
      `C${run}05,SO-${run}-4,${daysAgo(5)},EUR,P-9,tools,3,15.5`,
    ].join('\n');
    const bought = await importCsv('purchases', purchases);
    expect(bought.lines.filter((l) => l.type === 'error').map((e) => `${e.line}:${e.field}`)).toEqual([
      '4:quantity',
      '5:externalRef',
    ]);
    expect(bought.lines.at(-1)).toMatchObject({ records: 5, imported: 2, unchanged: 0, failed: 2 });
    const rerun = await importCsv('purchases', purchases);
    expect(rerun.lines.at(-1)).toMatchObject({ imported: 0, unchanged: 2, failed: 2 });

    const lookup = await call(
      'GET',
      `${platform.url('customer-profile')}/customers/${await idOf(`C${run}01`)}`,
      platform.token('agent'),
    );
    expect(lookup.body.aggregates).toMatchObject({ lifetimeSpend: 70000, lifetimePurchaseCount: 1 });
    // Reads mask personal data; seeing it takes a stated reason, and the audit log keeps who, what and why.
    expect(lookup.body.contacts[0].name).not.toBe('A Co., Ltd.');
    const customerId = await idOf(`C${run}01`);
    const revealed = await call(
      'POST',
      `${platform.url('customer-profile')}/customers/${customerId}/reveal`,
      platform.token('agent'),
      { reason: 'checking the imported contact', fields: ['contacts'] },
    );
    expect(revealed.status).toBe(200);
    expect(revealed.body.contacts).toEqual([{ name: 'A Co., Ltd.', decisionRole: 'Director of Purchasing' }]);
    expect(revealed.body.email).not.toBe(`a-${run}@example.test`);
    const noReason = await call(
      'POST',
      `${platform.url('customer-profile')}/customers/${customerId}/reveal`,
      platform.token('agent'),
      {},
    );
    expect(noReason.body.fields.map((f: { field: string }) => f.field)).toEqual(['reason']);
    const audit = await call(
      'GET',
      `${platform.url('customer-profile')}/audit/personal-data?customerId=${customerId}`,
      platform.token('admin'),
    );
    expect(audit.body).toEqual([
      expect.objectContaining({
        actor: 'e2e-agent',
        action: 'reveal',
        customerId,
        fields: ['contacts'],
        reason: 'checking the imported contact',
      }),
    ]);
    expect(
      (await call('GET', `${platform.url('customer-profile')}/audit/personal-data`, platform.token('agent')))
        .status,
    ).toBe(403);
  });

  it('imports an archive as history: every score is right, and nothing reaches a customer', async () => {
    const archive = `H${run}`;
    const count = 30;
    const customers = [
      'externalRef,kind,name,email',
      ...Array.from(
        { length: count },
        (_, i) => `${archive}${i},person,Archived ${i},h${i}-${run}@example.test`,
      ),
    ].join('\n');
    expect((await importCsv('customers', customers)).lines.at(-1)).toMatchObject({
      imported: count,
      failed: 0,
    });
    // 1 to 4 past orders each, the newest two days ago: recent enough to be news, were it not an import.
    // Two files: the older orders first, then each customer's newest.
    const header = 'externalRef,orderId,occurredAt,currency,sku,category,quantity,unitPrice';
    const line = (i: number, n: number) =>
      `${archive}${i},HO-${run}-${i}-${n},${daysAgo(2 + n * 90)},EUR,P-1,pumps,1,${100 + i * 50}`;
    const older = [header];
    const newest = [header];
    for (let i = 0; i < count; i++) {
      for (let n = 1; n <= i % 4; n++) older.push(line(i, n));
      newest.push(line(i, 0));
    }
    for (const file of [older, newest])
      expect((await importCsv('purchases', file.join('\n'))).lines.at(-1)).toMatchObject({ failed: 0 });
    const orders = [...older.slice(1), ...newest.slice(1)];
    const ids = await Promise.all(Array.from({ length: count }, (_, i) => idOf(`${archive}${i}`)));
    // Each order's event carries the customer's last 12 months up to it: the orders recorded before it (read
    // back from the database for the second file, summed in the batch for the first) and itself.
    let recorded: Record<string, unknown>[] = [];
    let reads = 0;
    await eventually(
      "every imported order's event published",
      async () => {
        recorded = (await readTopicsToEnd([Topics.purchases], { name: `import-${run}-${(reads += 1)}` }))
          .filter((r) => r.headers.ce_type?.toString() === 'crm.purchase.recorded.v1')
          .map((r) => JSON.parse(r.value!.toString()) as Record<string, unknown>)
          .filter((p) => String(p.orderId).startsWith(`HO-${run}-`));
        return recorded.length === orders.length;
      },
      30_000,
      500,
    );
    for (const payload of recorded) {
      const [i, n] = String(payload.orderId).split('-').slice(-2).map(Number);
      const upToIt = n === 0 ? (i % 4) + 1 : n;
      expect(payload.aggregates).toMatchObject({
        trailing12mPurchaseCount: upToIt,
        trailing12mSpend: upToIt * (100 + i * 50),
        lifetimePurchaseCount: upToIt,
      });
    }
    const tagging = platform.url('tagging');
    await eventually(
      'tagging scored every imported customer from all their orders',
      async () => {
        for (const [i, id] of ids.entries()) {
          const scores = await call('GET', `${tagging}/customers/${id}`, platform.token('agent'));
          if (scores.status !== 200 || scores.body.facts.lifetimePurchases !== (i % 4) + 1) return false;
        }
        return true;
      },
      60_000,
      500,
    );
    // A live purchase for one of them afterwards is news again: it is the control that surveys do flow.
    const live = await call(
      'POST',
      `${platform.url('customer-profile')}/customers/${ids[0]}/purchases`,
      platform.token('agent'),
      {
        orderId: `HO-${run}-live`,
        amount: 100,
        currency: 'EUR',
        occurredAt: new Date().toISOString(),
        items: [{ sku: 'P-1', category: 'pumps', quantity: 1, unitPrice: 100 }],
      },
    );
    expect(live.status).toBe(201);
    const surveysOf = async (id: string) =>
      (await call('GET', `${platform.url('feedback-sla')}/customers/${id}/surveys`, platform.token('agent')))
        .body as Array<{
        orderId?: string;
      }>;
    await eventually(
      'the live purchase got its survey',
      async () => (await surveysOf(ids[0])).length === 1,
      30_000,
      500,
    );
    expect((await surveysOf(ids[0]))[0]).toMatchObject({ orderId: `HO-${run}-live` });
    for (const id of ids.slice(1)) {
      expect(await surveysOf(id)).toEqual([]);
      const touches = await call(
        'GET',
        `${platform.url('growth-campaigns')}/customers/${id}/care-actions`,
        platform.token('agent'),
      );
      expect(touches.body).toEqual([]);
    }
  }, 180_000);

  it("holds the service's events while an import runs, and releases them when a client that stopped reading goes away", async () => {
    const profile = platform.url('customer-profile');
    const metrics = `${profile.replace(/\/profile$/, '')}/metrics`;
    const held = async () => /crm_outbox_relay_held\{[^}]*\} 1/.test(await (await fetch(metrics)).text());
    // 150,000 refused rows: an error line each, more than the sockets' buffers take, for a client that never
    // reads them. The import waits for the client, holding the relay, until the client goes.
    const rows = Array.from({ length: 150_000 }, (_, i) => `G${run}${i},robot,Gone ${i}`);
    const abort = new AbortController();
    const response = await fetch(`${profile}/imports/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${integration}`, 'content-type': 'text/csv' },
      body: ['externalRef,kind,name', ...rows].join('\n'),
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    await eventually('the import holds the relay', held, 30_000);
    abort.abort();
    await eventually('the hold is released once the client is gone', async () => !(await held()), 10_000);
  }, 90_000);

  it('continues a named import where an interrupted run stopped: nothing twice, nothing lost, across batches', async () => {
    const profile = platform.url('customer-profile');
    const prefix = `N${run}`;
    const count = 700;
    const header = 'externalRef,kind,name,email';
    const rows = Array.from(
      { length: count },
      (_, i) => `${prefix}${i},person,Named ${i},n${i}-${run}@example.test`,
    );
    const importId = `e2e-${run}-customers`;
    const url = `${profile}/imports/customers?importId=${importId}`;

    // The first run sends 550 rows and then nothing more; once 500 are reported (five batches), the client goes.
    const abort = new AbortController();
    const firstRun = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${integration}`, 'content-type': 'text/csv' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(`${[header, ...rows.slice(0, 550)].join('\n')}\n`));
        },
      }),
      duplex: 'half',
      signal: abort.signal,
    } as RequestInit & { duplex: 'half' });
    expect(firstRun.status).toBe(200);
    const reader = firstRun.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = '';
    while (!seen.includes('"type":"progress"')) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    expect(seen).toContain('"records":500');
    abort.abort();

    // The second run sends the whole file under the same name: it skips the committed batch and goes on.
    const secondRun = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${integration}`, 'content-type': 'text/csv' },
      body: [header, ...rows].join('\n'),
    });
    const lines = (await secondRun.text())
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({ type: 'resumed', fromLine: 502, records: 500, imported: 500 });
    expect(lines.filter((l) => l.type === 'error')).toEqual([]);
    expect(lines.at(-1)).toMatchObject({
      type: 'summary',
      importId,
      records: count,
      imported: count,
      failed: 0,
      thisRun: { records: count - 500, imported: count - 500 },
    });
    for (const i of [0, 499, 500, 549, 550, count - 1]) await idOf(`${prefix}${i}`);

    // The same name for purchases is refused, naming the parameter; a malformed name too.
    const mixed = await importCsv(
      'purchases',
      'externalRef,orderId,occurredAt,currency,category,quantity,unitPrice\n',
      importId,
    );
    expect(mixed.status).toBe(409);
    expect(mixed.body).toMatchObject({ field: 'importId' });
    const badName = await importCsv('customers', `${header}\n`, 'no spaces allowed');
    expect(badName.status).toBe(400);
    expect(badName.body.fields.map((f: { field: string }) => f.field)).toEqual(['importId']);

    // 360 order lines over three customers, interleaved: the aggregates add up across batches.
    const orders = ['externalRef,orderId,occurredAt,currency,sku,category,quantity,unitPrice'];
    const spend = [0, 0, 0];
    for (let o = 0; o < 120; o++)
      for (let l = 0; l < 3; l++) {
        const price = 10 + ((o * 7 + l) % 13);
        spend[o % 3] += price * 2;
        orders.push(
          `${prefix}${o % 3},NO-${run}-${o},${daysAgo(30 + (o % 300))},EUR,S-${l},pumps,2,${price}`,
        );
      }
    const bought = await importCsv('purchases', orders.join('\n'), `e2e-${run}-purchases`);
    expect(bought.lines.at(-1)).toMatchObject({ records: 360, imported: 120, failed: 0 });
    for (let c = 0; c < 3; c++) {
      const customer = await call(
        'GET',
        `${profile}/customers/${await idOf(`${prefix}${c}`)}`,
        platform.token('agent'),
      );
      expect(customer.body.aggregates).toMatchObject({ lifetimeSpend: spend[c], lifetimePurchaseCount: 40 });
    }
    const again = await importCsv('purchases', orders.join('\n'));
    expect(again.lines.at(-1)).toMatchObject({ records: 360, imported: 0, unchanged: 120, failed: 0 });
  }, 180_000);

  it('refuses a file whose header is wrong before reading any row, naming the columns', async () => {
    const refused = await importCsv('customers', 'externalRef,name,shoeSize\nC1,X,42\n');
    expect(refused.status).toBe(400);
    expect(refused.body.fields).toEqual([
      { field: 'header', messages: ['unknown column "shoeSize"', 'missing column "kind"'] },
    ]);
  });

  async function idOf(externalRef: string): Promise<string> {
    const response = await call(
      'GET',
      `${platform.url('customer-profile')}/customers?externalRef=${externalRef}`,
      platform.token('agent'),
    );
    expect(response.status).toBe(200);
    return response.body.id;
  }
});
