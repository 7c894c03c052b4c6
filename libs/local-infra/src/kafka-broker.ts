import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assertPortFree, isAlive, stopProcess, waitForPort, workspaceRoot, type Log } from './process-utils';

/** The Maven project that pins the broker version; see its pom.xml. */
const POM_SOURCE = join(workspaceRoot(), 'libs/local-infra/kafka/pom.xml');

export interface KafkaBrokerOptions {
  /** Folder for the classpath cache, broker config, data and log. */
  workDir: string;
  host?: string;
  port?: number;
  controllerPort?: number;
  /** Where the resolved classpath is cached; defaults to <workspace>/.local/cache. */
  cacheDir?: string;
  /** JVM heap; 1 GiB is plenty for a single-node broker on a 2-core machine. */
  heap?: string;
  log?: Log;
  /** The setting that chooses the port, named in the "port in use" error. */
  portSetting?: string;
  /**
   * SASL/SCRAM-SHA-512 on the client listener, with the standard KRaft authorizer (deny unless an ACL
   * allows): `admin` is a super user, `users` get only what ACLs grant them. Set at first format only.
   */
  scram?: { admin: ScramUser; users: ScramUser[] };
  /**
   * TLS on the client listener (SASL_SSL with `scram`, else SSL), with a self-signed certificate for
   * 127.0.0.1 and localhost made with the JDK's keytool on first start; clients trust `<workDir>/tls/ca.pem`.
   */
  tls?: boolean;
}

export interface ScramUser {
  username: string;
  password: string;
}

export interface KafkaBrokerState {
  pid: number;
  brokers: string;
  host: string;
  port: number;
  controllerPort: number;
  workDir: string;
  logFile: string;
  scram?: KafkaBrokerOptions['scram'];
  /** The PEM file clients trust when the listener speaks TLS. */
  caFile?: string;
}

export function pinnedKafkaVersion(): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(POM_SOURCE, 'utf8'));
  if (!match) throw new Error(`kafka.version not found in ${POM_SOURCE}`);
  return match[1];
}

/**
 * Resolves the pinned broker and its tools with Maven into the local Maven repository, once.
 * The classpath is cached per version, so later starts need no network.
 */
export function resolveKafkaClasspath(cacheDir: string, log: Log = () => {}): string {
  const version = pinnedKafkaVersion();
  mkdirSync(cacheDir, { recursive: true });
  const cacheFile = join(cacheDir, `classpath-${version}.txt`);
  if (existsSync(cacheFile)) {
    const classpath = readFileSync(cacheFile, 'utf8').trim();
    if (classpath.split(':').every((jar) => existsSync(jar))) return classpath;
  }
  log(`resolving Apache Kafka ${version} from Maven Central (first run only)...`);
  try {
    execFileSync(
      'mvn',
      ['-q', '-B', '-f', POM_SOURCE, 'dependency:build-classpath', `-Dmdep.outputFile=${cacheFile}`],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  } catch (error) {
    const output = (error as { stdout?: Buffer; stderr?: Buffer }).stdout?.toString() ?? '';
    throw new Error(
      `Could not resolve Apache Kafka ${version} with Maven (is mvn on PATH and Maven Central reachable?)\n${output}`,
    );
  }
  return readFileSync(cacheFile, 'utf8').trim();
}

interface BrokerTls {
  keystore: string;
  truststore: string;
  caFile: string;
  password: string;
}

/**
 * A self-signed certificate for the local broker (SAN 127.0.0.1 and localhost), made once per work folder
 * with the JDK's keytool: a PKCS#12 keystore for the listener, a truststore for the broker's own client
 * connections, and the certificate as PEM for clients (`KAFKA_SSL_CA_FILE`).
 */
export function ensureBrokerCertificate(workDir: string): BrokerTls {
  const dir = join(workDir, 'tls');
  const tls: BrokerTls = {
    keystore: join(dir, 'broker.p12'),
    truststore: join(dir, 'truststore.p12'),
    caFile: join(dir, 'ca.pem'),
    password: '',
  };
  const passwordFile = join(dir, 'password');
  if ([tls.keystore, tls.truststore, tls.caFile, passwordFile].every((f) => existsSync(f)))
    return { ...tls, password: readFileSync(passwordFile, 'utf8').trim() };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const password = randomBytes(18).toString('base64url');
  writeFileSync(passwordFile, password, { mode: 0o600 });
  const keytool = (args: string[]) => {
    try {
      execFileSync('keytool', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`keytool ${args[0]} failed (is a JDK on PATH?): ${stderr || (error as Error).message}`);
    }
  };
  keytool([
    '-genkeypair',
    '-alias',
    'broker',
    '-keyalg',
    'RSA',
    '-keysize',
    '2048',
    '-validity',
    '3650',
    '-dname',
    'CN=crm-local-kafka',
    '-ext',
    'SAN=ip:127.0.0.1,dns:localhost',
    '-storetype',
    'PKCS12',
    '-keystore',
    tls.keystore,
    '-storepass',
    password,
    '-keypass',
    password,
  ]);
  keytool([
    '-exportcert',
    '-rfc',
    '-alias',
    'broker',
    '-keystore',
    tls.keystore,
    '-storepass',
    password,
    '-file',
    tls.caFile,
  ]);
  keytool([
    '-importcert',
    '-noprompt',
    '-alias',
    'crm-local-kafka',
    '-file',
    tls.caFile,
    '-storetype',
    'PKCS12',
    '-keystore',
    tls.truststore,
    '-storepass',
    password,
  ]);
  return { ...tls, password };
}

/** The client listener: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL; the controller stays on the loopback. */
function listenerProperties(
  host: string,
  port: number,
  controllerPort: number,
  scram: KafkaBrokerOptions['scram'],
  tls: BrokerTls | undefined,
): string[] {
  const protocol = `${scram ? 'SASL_' : ''}${tls ? 'SSL' : 'PLAINTEXT'}`;
  const lines = [
    `listeners=${protocol}://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    `advertised.listeners=${protocol}://${host}:${port}`,
    `inter.broker.listener.name=${protocol}`,
    `listener.security.protocol.map=${protocol}:${protocol},CONTROLLER:PLAINTEXT`,
  ];
  if (tls)
    lines.push(
      'ssl.keystore.type=PKCS12',
      `ssl.keystore.location=${tls.keystore}`,
      `ssl.keystore.password=${tls.password}`,
      `ssl.key.password=${tls.password}`,
      'ssl.truststore.type=PKCS12',
      `ssl.truststore.location=${tls.truststore}`,
      `ssl.truststore.password=${tls.password}`,
    );
  if (scram) {
    const jaas = `org.apache.kafka.common.security.scram.ScramLoginModule required username="${scram.admin.username}" password="${scram.admin.password}";`;
    lines.push(
      'sasl.enabled.mechanisms=SCRAM-SHA-512',
      'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
      `listener.name.${protocol.toLowerCase()}.scram-sha-512.sasl.jaas.config=${jaas}`,
      'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'allow.everyone.if.no.acl.found=false',
      // The controller listener is plaintext on the loopback: its principal (ANONYMOUS) is the node itself.
      `super.users=User:${scram.admin.username};User:ANONYMOUS`,
    );
  }
  return lines;
}

function serverProperties(
  host: string,
  port: number,
  controllerPort: number,
  dataDir: string,
  scram: KafkaBrokerOptions['scram'],
  tls: BrokerTls | undefined,
): string {
  const listeners = listenerProperties(host, port, controllerPort, scram, tls);
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${host}:${controllerPort}`,
    ...listeners,
    'controller.listener.names=CONTROLLER',
    `log.dirs=${dataDir}`,
    'num.partitions=6',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=6',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // Compacted topics (crm.customer-state.v1) are cleaned within seconds of a segment closing.
    'log.cleaner.backoff.ms=1000',
    'auto.create.topics.enable=false',
    'num.network.threads=2',
    'num.io.threads=4',
    'log.flush.interval.messages=9223372036854775807',
    '',
  ].join('\n');
}

const LOG4J = [
  'status = warn',
  'appender.console.type = Console',
  'appender.console.name = STDOUT',
  'appender.console.layout.type = PatternLayout',
  'appender.console.layout.pattern = [%d] %p %m (%c)%n',
  'rootLogger.level = WARN',
  'rootLogger.appenderRef.stdout.ref = STDOUT',
  'logger.started.name = kafka.server.KafkaRaftServer',
  'logger.started.level = INFO',
  '',
].join('\n');

/** Formats KRaft storage (first start only) and starts a single-node combined broker and controller. */
export async function startKafkaBroker(options: KafkaBrokerOptions): Promise<KafkaBrokerState> {
  const log = options.log ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 9092;
  const controllerPort = options.controllerPort ?? port + 1;
  const workDir = resolve(options.workDir);
  const dataDir = join(workDir, 'data');
  const configFile = join(workDir, 'server.properties');
  const log4jFile = join(workDir, 'log4j2.properties');
  const logFile = join(workDir, 'broker.log');
  mkdirSync(workDir, { recursive: true });

  await assertPortFree(
    host,
    port,
    'Kafka',
    `${options.portSetting ?? 'KAFKA_PORT'} (or set KAFKA_BROKERS to use a running broker)`,
  );
  await assertPortFree(host, controllerPort, 'Kafka controller', 'KAFKA_CONTROLLER_PORT');

  const classpath = resolveKafkaClasspath(options.cacheDir ?? join(workspaceRoot(), '.local/cache'), log);
  const tls = options.tls ? ensureBrokerCertificate(workDir) : undefined;
  writeFileSync(configFile, serverProperties(host, port, controllerPort, dataDir, options.scram, tls));
  writeFileSync(log4jFile, LOG4J);
  const javaOptions = [
    `-Xms${options.heap ?? '512m'}`,
    `-Xmx${options.heap ?? '1g'}`,
    `-Dlog4j2.configurationFile=${log4jFile}`,
  ];

  if (!existsSync(join(dataDir, 'meta.properties'))) {
    log('formatting KRaft storage...');
    execFileSync(
      'java',
      [
        ...javaOptions,
        '-cp',
        classpath,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        randomUUID(),
        '-c',
        configFile,
        ...(options.scram ? [options.scram.admin, ...options.scram.users] : []).flatMap((user) => [
          '--add-scram',
          `SCRAM-SHA-512=[name=${user.username},password=${user.password}]`,
        ]),
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  }

  const started = Date.now();
  const out = openSync(logFile, 'a');
  const child = spawn('java', [...javaOptions, '-XX:+UseG1GC', '-cp', classpath, 'kafka.Kafka', configFile], {
    stdio: ['ignore', out, out],
    detached: true,
  });
  closeSync(out);
  child.unref();
  const pid = child.pid;
  if (!pid) throw new Error('Could not start java for the Kafka broker');
  try {
    await waitForPort(host, port, 90_000, 'Kafka broker');
  } catch (error) {
    await stopProcess(pid, 2000);
    throw new Error(`${(error as Error).message}; see ${logFile}`);
  }
  log(`Kafka broker up on ${host}:${port} in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${pid})`);
  return {
    pid,
    brokers: `${host}:${port}`,
    host,
    port,
    controllerPort,
    workDir,
    logFile,
    scram: options.scram,
    ...(tls ? { caFile: tls.caFile } : {}),
  };
}

export async function stopKafkaBroker(state: Pick<KafkaBrokerState, 'pid'>, graceMs = 30_000): Promise<void> {
  await stopProcess(state.pid, graceMs);
}

/** Restarts the broker on the same data (used by failure tests). */
export async function restartKafkaBroker(state: KafkaBrokerState, log?: Log): Promise<KafkaBrokerState> {
  await stopKafkaBroker(state);
  return startKafkaBroker({
    workDir: state.workDir,
    host: state.host,
    port: state.port,
    controllerPort: state.controllerPort,
    scram: state.scram,
    tls: state.caFile !== undefined,
    log,
  });
}

export { isAlive };
