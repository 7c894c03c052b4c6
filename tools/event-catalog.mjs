// Publishes the contracts (after `npm run build`): docs/event-catalog.md, docs/contracts/asyncapi.yaml, one
// JSON Schema per event type in docs/contracts/schemas/ (refused when incompatible with the committed one),
// the client library's generated types (libs/customer-events) and the chart's Kafka ACLs.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';

const root = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const contracts = require(join(root, 'dist/contracts/src/index.js'));

const write = (file, text) => {
  writeFileSync(join(root, file), text);
  process.stdout.write(`wrote ${file}\n`);
};
try {
  for (const file of contracts.publishSchemas(root)) process.stdout.write(`wrote ${relative(root, file)}\n`);
} catch (error) {
  process.stderr.write(`✖ not published: ${error.message}\n`);
  process.exit(1);
}
write(
  `${contracts.PUBLISHED_DIR}/asyncapi.yaml`,
  stringify(contracts.renderAsyncApi(), { aliasDuplicateObjects: false }),
);
write('docs/event-catalog.md', contracts.renderEventCatalog());
write(contracts.CLIENT_CONTRACTS_FILE, contracts.renderClientContracts());
write(
  'deploy/helm/crm-platform/files/kafka-acls.json',
  `${JSON.stringify(contracts.platformKafkaAcls(), null, 2)}\n`,
);
