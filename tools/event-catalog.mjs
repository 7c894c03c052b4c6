// Writes docs/event-catalog.md and the chart's Kafka ACLs from the contracts (after `npm run build`).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const { renderEventCatalog, platformKafkaAcls } = require(join(root, 'dist/contracts/src/index.js'));
writeFileSync(join(root, 'docs/event-catalog.md'), renderEventCatalog());
process.stdout.write('wrote docs/event-catalog.md\n');
const aclFile = 'deploy/helm/crm-platform/files/kafka-acls.json';
writeFileSync(join(root, aclFile), `${JSON.stringify(platformKafkaAcls(), null, 2)}\n`);
process.stdout.write(`wrote ${aclFile}\n`);
