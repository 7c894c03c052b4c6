/**
 * `npm run dlq -- list <group> [--type T] [--code C] [--since TIME] [--json]`
 * `npm run dlq -- replay <group> [--type T] [--code C] [--since TIME] [--dry-run]`
 *
 * Reads a consumer group's dead-letter topic (`crm.dlq.<group>`) and, once the cause is fixed, puts the
 * chosen letters back on their source topics with lineage headers. Brokers from KAFKA_BROKERS (default the
 * local broker of `npm start`, 127.0.0.1:9092).
 */
import { parseArgs } from 'node:util';
import { logLevel } from 'kafkajs';
import { ConsumerGroups } from '@crm/contracts';
import {
  matches,
  readDeadLetters,
  replayDeadLetters,
  type DeadLetter,
  type DeadLetterFilter,
} from './dead-letters';
import { createKafka } from './kafka-client';

const USAGE = `usage: npm run dlq -- list <group> [--type T] [--code C] [--since TIME] [--json]
       npm run dlq -- replay <group> [--type T] [--code C] [--since TIME] [--dry-run]
groups: ${Object.values(ConsumerGroups).join(', ')}`;

const say = (line: string) => process.stderr.write(`dlq: ${line}\n`);

function table(letters: DeadLetter[]): string {
  const rows = letters.map((l) => [
    `${l.partition}/${l.offset}`,
    l.failedAt,
    l.type ?? '?',
    l.code,
    String(l.attempts),
    `${l.sourceTopic}/${l.sourcePartition}/${l.sourceOffset}`,
    l.reason.replace(/\s+/g, ' ').slice(0, 100),
  ]);
  const header = ['letter', 'failed at', 'type', 'code', 'attempts', 'source', 'reason'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      type: { type: 'string' },
      code: { type: 'string' },
      since: { type: 'string' },
      json: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const [command, group] = positionals;
  if (values.help || !command || !group || !['list', 'replay'].includes(command) || positionals.length > 2) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(group)) throw new Error(`"${group}" is not a consumer group name`);
  const since = values.since ? new Date(values.since) : undefined;
  if (since && Number.isNaN(since.getTime()))
    throw new Error(`--since "${values.since}" is not a date and time`);
  const filter: DeadLetterFilter = { type: values.type, code: values.code, since };
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const kafka = createKafka(brokers, 'crm-dlq-cli', { logLevel: logLevel.NOTHING });
  say(`reading crm.dlq.${group} from ${brokers}`);
  const all = await readDeadLetters(kafka, group);
  const chosen = all.filter((l) => matches(l, filter));
  say(`${all.length} dead letters, ${chosen.length} match`);
  if (command === 'list') {
    process.stdout.write(
      values.json
        ? `${JSON.stringify(
            chosen.map(({ key, value, ...rest }) => ({
              ...rest,
              key: key?.toString() ?? null,
              value: value?.toString() ?? null,
            })),
            null,
            2,
          )}\n`
        : `${table(chosen)}\n`,
    );
    return 0;
  }
  if (values['dry-run']) {
    process.stdout.write(`${table(chosen)}\n`);
    say(`dry run: would replay ${chosen.length}`);
    return 0;
  }
  const replayed = await replayDeadLetters(kafka, group, chosen, (done) =>
    say(`replayed ${done}/${chosen.length}`),
  );
  say(`done: ${replayed} put back on their source topics (consumers that processed them before skip them)`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    say(`failed: ${error.message}`);
    process.exit(1);
  },
);
