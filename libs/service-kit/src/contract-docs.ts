import type { INestApplication } from '@nestjs/common';
import { EVENT_CATALOG, eventJsonSchema, renderAsyncApi } from '@crm/contracts';

interface JsonResponse {
  status(code: number): JsonResponse;
  json(body: unknown): void;
}

/**
 * The event contracts, served beside the OpenAPI document and without a token (like it):
 * `/docs/asyncapi.json`, `/docs/schemas` (the index) and `/docs/schemas/<event type>.json`.
 */
export function serveContractDocs(app: INestApplication): void {
  const asyncApi = renderAsyncApi();
  const schemas = new Map(EVENT_CATALOG.map((d) => [d.type, eventJsonSchema(d)]));
  const index = EVENT_CATALOG.map((d) => ({
    type: d.type,
    topic: d.topic,
    description: d.description,
    schema: `/docs/schemas/${d.type}.json`,
    ...(d.deprecated ? { deprecated: d.deprecated } : {}),
  }));
  const http = app.getHttpAdapter();
  http.get('/docs/asyncapi.json', (_req: unknown, res: JsonResponse) => res.json(asyncApi));
  http.get('/docs/schemas', (_req: unknown, res: JsonResponse) => res.json(index));
  http.get('/docs/schemas/:file', (req: { params: { file: string } }, res: JsonResponse) => {
    const type = req.params.file.replace(/\.json$/, '');
    const schema = schemas.get(type);
    if (schema) return res.json(schema);
    res.status(404).json({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: `no event type ${type}; GET /docs/schemas lists them`,
    });
  });
}
