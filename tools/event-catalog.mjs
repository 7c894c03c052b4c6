// Writes docs/event-catalog.md from the contracts (after `npm run build`).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const { renderEventCatalog } = require(join(root, 'dist/contracts/src/index.js'));
writeFileSync(join(root, 'docs/event-catalog.md'), renderEventCatalog());
process.stdout.write('wrote docs/event-catalog.md\n');
