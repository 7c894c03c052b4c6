// Streams a CSV into customer-profile: npm run import -- <customers|purchases> <file.csv> [--url URL] [--token T]
// Prints progress as the service reports it, each bad row by line and field, and writes the full error
// report next to the file (<file>.errors.ndjson). The columns are in README.md ("Bulk import").
// Each import is named after the file (path, size, modification time), so running the same command again
// after an interruption continues after the last row the service committed; --fresh starts over.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, realpathSync, statSync } from 'node:fs';
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
    'import-id': { type: 'string' },
    fresh: { type: 'boolean', default: false },
  },
});
const [kind, file] = positionals;
if (!['customers', 'purchases'].includes(kind) || !file) {
  process.stderr.write(
    'usage: npm run import -- <customers|purchases> <file.csv> [--url URL] [--token TOKEN]\n',
  );
  process.exit(2);
}
let stats;
try {
  stats = statSync(file);
} catch (error) {
  process.stderr.write(`cannot read ${file}: ${error.message}\n`);
  process.exit(2);
}
const size = stats.size;
const importId =
  values['import-id'] ??
  `${kind}-${createHash('sha256')
    .update(`${realpathSync(file)}|${size}|${stats.mtimeMs}${values.fresh ? `|${Date.now()}` : ''}`)
    .digest('hex')
    .slice(0, 24)}`;
const token =
  values.token ??
  execFileSync(process.execPath, [join(import.meta.dirname, 'mint-token.mjs'), 'integration', 'csv-import'], {
    encoding: 'utf8',
  }).trim();

const reportPath = `${file}.errors.ndjson`;
/** Closes the error report once everything written to it is on disk (before the process exits). */
const finish = (stream) => (stream ? new Promise((resolve) => stream.end(resolve)) : Promise.resolve());
let report;
const started = Date.now();
let response;
try {
  response = await fetch(`${values.url}/imports/${kind}?importId=${encodeURIComponent(importId)}`, {
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
process.stdout.write(`importing ${kind} from ${file} (${(size / 1e6).toFixed(1)} MB) as ${importId}\n`);
let summary;
let shown = 0;
let buffered = '';
let rowsThisRun = 0;
const again = `run the same command again to continue after the last committed row`;
try {
  for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop();
    for (const text of lines.filter(Boolean)) {
      const line = JSON.parse(text);
      // A resumed import adds to the error report of its earlier runs.
      report ??= createWriteStream(reportPath, { flags: line.type === 'resumed' ? 'a' : 'w' });
      if (line.type === 'resumed') {
        process.stdout.write(
          `  continuing at line ${line.fromLine}: ${line.records} rows done in earlier runs (${line.imported} imported, ${line.failed} failed)\n`,
        );
      } else if (line.type === 'error') {
        report.write(`${text}\n`);
        if (!values.quiet && shown++ < 20)
          process.stdout.write(`  line ${line.line}, ${line.field}: ${line.message}\n`);
      } else if (line.type === 'progress') {
        rowsThisRun = line.records;
        const seconds = (Date.now() - started) / 1000;
        process.stdout.write(
          `  ${line.records} rows: ${line.imported} imported, ${line.unchanged} unchanged, ${line.failed} failed (${Math.round(line.records / seconds)} rows/s)\n`,
        );
      } else if (line.type === 'summary') summary = line;
    }
  }
} catch (error) {
  await finish(report);
  process.stderr.write(
    `the connection to ${values.url} was lost after ${rowsThisRun} rows of this run (${error.cause?.message ?? error.message}); ${again}\n`,
  );
  process.exit(1);
}
await finish(report ?? createWriteStream(reportPath));
if (!summary) {
  process.stderr.write(
    `the import stopped before its summary; rows reported so far are in ${reportPath}; ${again}\n`,
  );
  process.exit(1);
}
const run = summary.thisRun ?? summary;
process.stdout.write(
  `done in ${summary.seconds} s: ${run.records} rows, ${run.imported} imported, ${run.unchanged} unchanged, ${run.failed} failed` +
    (summary.thisRun && summary.records !== run.records
      ? ` (with earlier runs: ${summary.records} rows, ${summary.imported} imported, ${summary.failed} failed)`
      : '') +
    '\n',
);
if (summary.ignoredColumns.length > 0)
  process.stdout.write(
    `derived columns ignored (computed from purchases): ${summary.ignoredColumns.join(', ')}\n`,
  );
if (summary.failed > 0) process.stdout.write(`every failed row, by line and field: ${reportPath}\n`);
process.exit(summary.failed > 0 ? 3 : 0);
