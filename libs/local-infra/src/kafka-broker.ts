import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
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

function scramProperties(host: string, port: number, controllerPort: number, admin: ScramUser): string[] {
  const jaas = `org.apache.kafka.common.security.scram.ScramLoginModule required username="${admin.username}" password="${admin.password}";`;
  return [
    `listeners=SASL_PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    `advertised.listeners=SASL_PLAINTEXT://${host}:${port}`,
    'inter.broker.listener.name=SASL_PLAINTEXT',
    'listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
    'sasl.enabled.mechanisms=SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    `listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=${jaas}`,
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found=false',
    // The controller listener is plaintext on the loopback: its principal (ANONYMOUS) is the node itself.
    `super.users=User:${admin.username};User:ANONYMOUS`,
  ];
}

function serverProperties(
  host: string,
  port: number,
  controllerPort: number,
  dataDir: string,
  scram?: KafkaBrokerOptions['scram'],
): string {
  const listeners = scram
    ? scramProperties(host, port, controllerPort, scram.admin)
    : [
        `listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
        `advertised.listeners=PLAINTEXT://${host}:${port}`,
        'inter.broker.listener.name=PLAINTEXT',
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      ];
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
  writeFileSync(configFile, serverProperties(host, port, controllerPort, dataDir, options.scram));
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
    log,
  });
}

export { isAlive };
