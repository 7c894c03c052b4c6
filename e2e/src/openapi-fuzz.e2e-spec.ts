import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { EVENT_CATALOG, eventJsonSchema, renderAsyncApi, SERVICE_CATALOG } from '@crm/contracts';
import { startConsole, startPlatform, type RunningConsole, type RunningPlatform } from '@crm/testing';

/**
 * Every route of every service, driven by its own OpenAPI document: generated valid, boundary and malformed
 * path parameters, queries and bodies, with no token, a forged token, a token of too small a role and an
 * admin's. Nothing may answer 5xx, and every 400 names the fields it is about. The services run in schemas
 * of their own, so whatever the generated requests create touches no other test's data.
 * Ports 3501-3507 and the console on 3510 (3306 is often MySQL). `npm run test:fuzz` runs more cases (FUZZ_RUNS per route); the seed is fixed (FUZZ_SEED).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 6);
const SEED = Number(process.env.FUZZ_SEED ?? 20261129);

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  nullable?: boolean;
};
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: unknown[];
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

let platform: RunningPlatform;
let consoleApp: RunningConsole;
const documents = new Map<string, { base: string; doc: OpenApi }>();

beforeAll(async () => {
  platform = await startPlatform({}, 400, `fuzz_${randomUUID().slice(0, 6)}`);
  for (const service of SERVICE_CATALOG) {
    const base = platform.url(service.name).replace(new RegExp(`/${service.prefix}$`), '');
    const doc = (await (await fetch(`${base}/docs/openapi.json`)).json()) as OpenApi;
    documents.set(service.name, { base, doc });
  }
  // The console's backend-for-frontend too: its routes call the services with the caller's token.
  consoleApp = await startConsole(400);
  const consoleBase = consoleApp.url.replace(/\/console\/$/, '');
  documents.set('console', {
    base: consoleBase,
    doc: (await (await fetch(`${consoleBase}/console/docs/openapi.json`)).json()) as OpenApi,
  });
}, 180_000);

afterAll(async () => {
  await consoleApp?.stop();
  await platform?.stop();
});

function resolve(schema: Schema | undefined, doc: OpenApi): Schema {
  let current = schema ?? {};
  for (let depth = 0; current.$ref && depth < 10; depth++)
    current = doc.components?.schemas?.[current.$ref.split('/').pop() ?? ''] ?? {};
  if (current.allOf?.length) return resolve(current.allOf[0], doc);
  return current;
}

const text = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.constantFrom(
    '',
    ' ',
    "'; DROP TABLE customers; --",
    '../../etc/passwd',
    '%00',
    '\u0000',
    '𝔘𝔫𝔦',
    'x'.repeat(3000),
  ),
);
const anyJson = fc.jsonValue({ maxDepth: 2 });

/** Values that fit the schema (enums, formats and types), with boundary cases mixed in. */
function fitting(schema: Schema | undefined, doc: OpenApi, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema, doc);
  if (s.enum?.length) return fc.constantFrom(...s.enum);
  switch (s.type) {
    case 'object': {
      if (!s.properties || depth > 3) return fc.constant({});
      const keys = Object.keys(s.properties);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const key of keys) model[key] = fitting(s.properties[key], doc, depth + 1);
      return fc.record(model, { requiredKeys: keys.filter((k) => s.required?.includes(k)) });
    }
    case 'array':
      return fc.array(fitting(s.items, doc, depth + 1), { maxLength: 3 });
    case 'integer':
      return fc.oneof(
        fc.integer({ min: 0, max: 100_000 }),
        fc.constantFrom(-1, 0, 2 ** 31, Number.MAX_SAFE_INTEGER),
      );
    case 'number':
      return fc.oneof(fc.double({ min: -1e6, max: 1e9, noNaN: true }), fc.constantFrom(0, -0.5, 1e308));
    case 'boolean':
      return fc.boolean();
    case 'string':
      if (s.format === 'uuid') return fc.uuid();
      if (s.format === 'date-time')
        return fc
          .date({ min: new Date('1990-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString());
      return text;
    default:
      return anyJson;
  }
}

/** A value for the schema, or something else entirely. */
function anything(schema: Schema | undefined, doc: OpenApi): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 3, arbitrary: fitting(schema, doc) }, { weight: 2, arbitrary: anyJson });
}

function operations(): { service: string; method: string; path: string; operation: Operation }[] {
  const all: { service: string; method: string; path: string; operation: Operation }[] = [];
  for (const [service, { doc }] of documents)
    for (const [path, methods] of Object.entries(doc.paths))
      for (const [method, operation] of Object.entries(methods))
        // The console's event stream never ends by design (server-sent events): not a request/response route.
        if (!/^\/(health|metrics|docs)/.test(path) && !/\/api\/events$/.test(path))
          all.push({ service, method: method.toUpperCase(), path, operation });
  return all;
}

interface Outcome {
  status: number;
  body: unknown;
}

async function send(
  service: string,
  method: string,
  path: string,
  token: string | undefined,
  params: Record<string, unknown>,
  query: Record<string, unknown>,
  body: unknown,
  contentType = 'application/json',
): Promise<Outcome> {
  const { base } = documents.get(service)!;
  const url = new URL(
    base + path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params[name] ?? 'x'))),
  );
  for (const [key, value] of Object.entries(query))
    if (value !== undefined)
      url.searchParams.set(key, typeof value === 'string' ? value : JSON.stringify(value));
  const headers: Record<string, string> = { 'content-type': contentType };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, {
    method,
    headers,
    body:
      method === 'GET' || method === 'DELETE' || body === undefined
        ? undefined
        : typeof body === 'string'
          ? body
          : JSON.stringify(body),
  });
  const raw = await response.text();
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // NDJSON or text: kept as it came.
  }
  return { status: response.status, body: parsed };
}

function namesItsFields(body: unknown): boolean {
  const fields = (body as { fields?: { field?: unknown; messages?: unknown }[] })?.fields;
  return (
    Array.isArray(fields) &&
    fields.length > 0 &&
    fields.every((f) => typeof f.field === 'string' && f.field.length > 0 && Array.isArray(f.messages))
  );
}

describe('every route, driven by the OpenAPI documents', () => {
  it('answers no 5xx to any generated request, and every 400 names its fields', async () => {
    const admin = platform.token('admin');
    const analyst = platform.token('analyst');
    const forged = `${admin.slice(0, -4)}AAAA`;
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const list = operations();
    expect(list.length).toBeGreaterThan(40);
    const record = (what: string, outcome: Outcome) => {
      statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
      if (outcome.status >= 500)
        failures.push(`${what} → ${outcome.status} ${JSON.stringify(outcome.body).slice(0, 300)}`);
      else if (outcome.status === 400 && !namesItsFields(outcome.body))
        failures.push(`${what} → 400 without fields ${JSON.stringify(outcome.body).slice(0, 300)}`);
    };

    for (const { service, method, path, operation } of list) {
      const { doc } = documents.get(service)!;
      const pathParams = (operation.parameters ?? []).filter((p) => p.in === 'path');
      const queryParams = (operation.parameters ?? []).filter((p) => p.in === 'query');
      const json = operation.requestBody?.content?.['application/json']?.schema;
      const csv = operation.requestBody?.content?.['text/csv'];
      const requestArb = fc.record({
        params: fc.record(
          Object.fromEntries(
            pathParams.map((p) => [
              p.name,
              fc.oneof({ weight: 3, arbitrary: fitting(p.schema, doc) }, { weight: 1, arbitrary: text }),
            ]),
          ),
        ),
        query: fc.record(
          Object.fromEntries(
            queryParams.map((p) => [p.name, fc.option(anything(p.schema, doc), { nil: undefined })]),
          ),
        ),
        body: json ? anything(json, doc) : csv ? fc.string({ maxLength: 200 }) : fc.constant(undefined),
      });
      const samples = fc.sample(requestArb, { numRuns: RUNS, seed: SEED + path.length + method.length });
      const what = (note: string) => `${service} ${method} ${path} (${note})`;
      // For the authentication checks, a request the route exists for: well-formed parameters and body.
      const [first] = fc.sample(
        fc.record({
          params: fc.record(
            Object.fromEntries(
              pathParams.map((p) => [
                p.name,
                resolve(p.schema, doc).format === 'uuid' ? fc.uuid() : fc.constant('fuzz-id'),
              ]),
            ),
          ),
          query: fc.constant({}),
          body: json ? fitting(json, doc) : fc.constant(undefined),
        }),
        { numRuns: 1, seed: SEED },
      );
      // Authentication and roles: no token, a forged one, and an analyst's, which many routes refuse.
      if (operation.security?.length) {
        const none = await send(service, method, path, undefined, first.params, first.query, first.body);
        record(what('no token'), none);
        if (none.status !== 401) failures.push(`${what('no token')} → ${none.status}, expected 401`);
        const bad = await send(service, method, path, forged, first.params, first.query, first.body);
        record(what('forged token'), bad);
        if (bad.status !== 401) failures.push(`${what('forged token')} → ${bad.status}, expected 401`);
      }
      record(
        what('analyst'),
        await send(service, method, path, analyst, first.params, first.query, first.body),
      );
      for (const [i, sample] of samples.entries())
        record(
          what(`admin #${i}: ${JSON.stringify(sample).slice(0, 400)}`),
          await send(
            service,
            method,
            path,
            admin,
            sample.params,
            sample.query,
            sample.body,
            csv && !json ? 'text/csv' : 'application/json',
          ),
        );
      // A body that is not JSON at all.
      if (json)
        record(
          what('malformed JSON'),
          await send(service, method, path, admin, first.params, first.query, '{"a":'),
        );
    }
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    process.stdout.write(
      `openapi fuzz: ${list.length} operations, ${total} requests (FUZZ_RUNS=${RUNS}, seed ${SEED}), statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`,
    );
    expect(failures).toEqual([]);
  }, 600_000);
});

describe('the event contracts under /docs', () => {
  it('are served by every service: the AsyncAPI document and a JSON Schema per event type', async () => {
    const expected = JSON.parse(JSON.stringify(renderAsyncApi())) as unknown;
    for (const service of SERVICE_CATALOG) {
      const { base } = documents.get(service.name)!;
      expect(await (await fetch(`${base}/docs/asyncapi.json`)).json()).toEqual(expected);
      const index = (await (await fetch(`${base}/docs/schemas`)).json()) as Array<{
        type: string;
        schema: string;
      }>;
      expect(index.map((e) => e.type)).toEqual(EVENT_CATALOG.map((d) => d.type));
      const first = await fetch(`${base}${index[0].schema}`);
      expect(await first.json()).toEqual(JSON.parse(JSON.stringify(eventJsonSchema(EVENT_CATALOG[0]))));
      const unknown = await fetch(`${base}/docs/schemas/crm.nothing.v9.json`);
      expect(unknown.status).toBe(404);
    }
  });
});
