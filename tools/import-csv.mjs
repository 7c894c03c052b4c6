// Streams a CSV into customer-profile: npm run import -- <customers|purchases> <file.csv> [--url URL] [--token T]
// Prints progress as the service reports it, each bad row by line and field, and writes the full error
// report next to the file (<file>.errors.ndjson). The columns are in README.md ("Bulk import").
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: process.env.PROFILE_URL ?? 'http://127.0.0.1:3101/profile' },
    token: { type: 'string', default: process.env.CRM_TOKEN },
    quiet: { type: 'boolean', default: false },
  },
});
const [kind, file] = positionals;
if (!['customers', 'purchases'].includes(kind) || !file) {
  process.stderr.write(
    'usage: npm run import -- <customers|purchases> <file.csv> [--url URL] [--token TOKEN]\n',
  );
  process.exit(2);
}
let size;
try {
  size = statSync(file).size;
} catch (error) {
  process.stderr.write(`cannot read ${file}: ${error.message}\n`);
  process.exit(2);
}
const token =
  values.token ??
  execFileSync(process.execPath, [join(import.meta.dirname, 'mint-token.mjs'), 'integration', 'csv-import'], {
    encoding: 'utf8',
  }).trim();

const reportPath = `${file}.errors.ndjson`;
const report = createWriteStream(reportPath);
const started = Date.now();
let response;
try {
  response = await fetch(`${values.url}/imports/${kind}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: Readable.toWeb(createReadStream(file)),
    duplex: 'half',
  });
} catch (error) {
  process.stderr.write(
    `cannot reach ${values.url}: ${error.cause?.message ?? error.message} (is \`npm start\` running?)\n`,
  );
  process.exit(1);
}
if (!response.ok) {
  process.stderr.write(`import refused (${response.status}): ${await response.text()}\n`);
  process.exit(1);
}
process.stdout.write(`importing ${kind} from ${file} (${(size / 1e6).toFixed(1)} MB)\n`);
let summary;
let shown = 0;
let buffered = '';
for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) {
  buffered += chunk;
  const lines = buffered.split('\n');
  buffered = lines.pop();
  for (const text of lines.filter(Boolean)) {
    const line = JSON.parse(text);
    if (line.type === 'error') {
      report.write(`${text}\n`);
      if (!values.quiet && shown++ < 20)
        process.stdout.write(`  line ${line.line}, ${line.field}: ${line.message}\n`);
    } else if (line.type === 'progress') {
      const seconds = (Date.now() - started) / 1000;
      process.stdout.write(
        `  ${line.records} rows: ${line.imported} imported, ${line.unchanged} unchanged, ${line.failed} failed (${Math.round(line.records / seconds)} rows/s)\n`,
      );
    } else if (line.type === 'summary') summary = line;
  }
}
report.end();
if (!summary) {
  process.stderr.write(
    'the import stopped before its summary; rows reported so far are in the error report\n',
  );
  process.exit(1);
}
process.stdout.write(
  `done in ${summary.seconds} s: ${summary.records} rows, ${summary.imported} imported, ${summary.unchanged} unchanged, ${summary.failed} failed\n`,
);
if (summary.ignoredColumns.length > 0)
  process.stdout.write(
    `derived columns ignored (computed from purchases): ${summary.ignoredColumns.join(', ')}\n`,
  );
if (summary.failed > 0) process.stdout.write(`every failed row, by line and field: ${reportPath}\n`);
process.exit(summary.failed > 0 ? 3 : 0);
