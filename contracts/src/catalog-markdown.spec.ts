import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_CATALOG } from './registry';
import { renderEventCatalog, SUBSCRIPTIONS } from './catalog-markdown';

describe('docs/event-catalog.md', () => {
  it('is what the contracts say (run `npm run docs:catalog` after changing a contract)', () => {
    const onDisk = readFileSync(join(__dirname, '../../docs/event-catalog.md'), 'utf8');
    expect(onDisk).toBe(renderEventCatalog());
  });

  it('names only event types that exist in its subscriptions', () => {
    const types = new Set(EVENT_CATALOG.map((d) => d.type));
    for (const type of Object.keys(SUBSCRIPTIONS)) expect(types).toContain(type);
  });
});
