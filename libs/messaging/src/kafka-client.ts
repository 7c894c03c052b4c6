import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type logCreator, type SASLOptions } from 'kafkajs';
import { Logger } from '@nestjs/common';

interface KafkaRequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** How soon pending requests are looked at again when the broker's throttle is (almost) over: kafkajs's 10 ms. */
const CHECK_PENDING_REQUESTS_MS = 10;

/**
 * kafkajs 2.2.4 re-arms a timer on every connection's request queue even when nothing waits and nothing is
 * throttled: a negative delay, which Node runs after 1 ms, forever; a thousand wake-ups a second per
 * connection at rest (tulios/kafkajs#1704, #1556; unreleased upstream). The queue only needs that timer
 * while requests wait or a throttle runs; a new request or a response looks at the queue itself.
 */
export function patchKafkaRequestQueue(queue: { prototype: KafkaRequestQueue }): void {
  queue.prototype.scheduleCheckPendingRequests = function (this: KafkaRequestQueue) {
    if (this.throttleCheckTimeoutId) return;
    let delay = this.throttledUntil - Date.now();
    if (this.pending.length > 0) delay = delay > 0 ? delay : CHECK_PENDING_REQUESTS_MS;
    else if (delay <= 0) return;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delay);
  };
}
/** @internal kafkajs's own request-queue class, patched as this module loads (exported for its test). */
// An internal kafkajs module with no types and no ESM entry: require is the only way in.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const kafkaJsRequestQueue = require('kafkajs/src/network/requestQueue') as {
  prototype: KafkaRequestQueue;
};
patchKafkaRequestQueue(kafkaJsRequestQueue);

interface KafkaEncoder {
  buf: Buffer;
  offset: number;
  ensureAvailable(length: number): void;
}
interface KafkaEncoderClass {
  prototype: KafkaEncoder;
  nextPowerOfTwo(value: number): number;
}

/** The smallest buffer a patched encoder grows to: most headers and small records fit at once. */
const ENCODER_FIRST_BYTES = 64;

/**
 * kafkajs 2.2.4's protocol encoder starts every buffer at 512 bytes and grows it, both with `Buffer.alloc`:
 * zero-filled, and never from Node's pool of small buffers. A produced record with ten headers makes eleven
 * such buffers, and most of a producing service's buffer time (and its garbage) was there: encoding such a
 * record took 36-40 µs, 15-18 µs patched (`npm run bench:bulk-writes`). Patched, an encoder starts empty (the
 * constructor's only use of `nextPowerOfTwo` is its initial size) and grows with `Buffer.allocUnsafe`, at
 * least to 64 bytes: pooled below 4 KiB, never zero-filled. Every write goes through `ensureAvailable`, and
 * only the bytes written are ever read (`buffer` is the slice up to `offset`), so the bytes are the same.
 */
export function patchKafkaEncoder(encoder: KafkaEncoderClass): void {
  const nextPowerOfTwo = encoder.nextPowerOfTwo.bind(encoder);
  encoder.prototype.ensureAvailable = function (this: KafkaEncoder, length: number) {
    const needed = this.offset + length;
    if (needed <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(ENCODER_FIRST_BYTES, nextPowerOfTwo(needed)));
    this.buf.copy(grown, 0, 0, this.offset);
    this.buf = grown;
  };
  encoder.nextPowerOfTwo = () => 0;
}
/** @internal kafkajs's own encoder class, patched as this module loads (exported for its test). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const kafkaJsEncoder = require('kafkajs/src/protocol/encoder') as KafkaEncoderClass;
patchKafkaEncoder(kafkaJsEncoder);

/**
 * What kafkajs logs at ERROR but recovers from on its own: a failed response it retries, a consumer crash it
 * reports before deciding whether to restart (the consumer's CRASH event says, and `recordConsumerCrash` logs
 * a stop at ERROR), the restart itself, and a member the coordinator forgot, which joins again.
 */
const RECOVERED_BY_KAFKAJS = [
  'Response ',
  'Crash: ',
  'Restarting the consumer in ',
  'The coordinator is not aware of this member, re-joining the group',
];

/** The level a kafkajs log line is written at here: its own, except what kafkajs recovers from (a warning). */
export function kafkaJsLogLevel(level: logLevel, message: string): 'error' | 'warn' | 'debug' | undefined {
  if (level === logLevel.ERROR)
    return RECOVERED_BY_KAFKAJS.some((prefix) => message.startsWith(prefix)) ? 'warn' : 'error';
  if (level === logLevel.WARN) return 'warn';
  if (level === logLevel.INFO) return 'debug';
  return undefined;
}

/** kafkajs logs through Nest's logger, so they come out as JSON with trace ids like everything else. */
const nestLogCreator: logCreator = () => {
  const logger = new Logger('kafkajs');
  return ({ level, log }) => {
    const { message, ...extra } = log;
    const writeAt = kafkaJsLogLevel(level, message);
    if (writeAt) logger[writeAt]({ msg: message, ...extra });
  };
};

/** How a client authenticates to the brokers: SASL (SCRAM or PLAIN) and TLS, or nothing (local, plaintext). */
export type KafkaSecurity = Pick<KafkaConfig, 'sasl' | 'ssl'>;

export const KAFKA_SASL_MECHANISMS = ['scram-sha-512', 'scram-sha-256', 'plain'] as const;

/**
 * The security settings from the environment, the same for every process of the platform:
 * KAFKA_SASL_MECHANISM (scram-sha-512, scram-sha-256 or plain), KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD,
 * KAFKA_SSL=true and KAFKA_SSL_CA_FILE (a PEM bundle; the system's CAs when unset).
 */
export function kafkaSecurityFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaSecurity {
  const security: KafkaSecurity = {};
  const mechanism = env.KAFKA_SASL_MECHANISM;
  if (mechanism) {
    if (!(KAFKA_SASL_MECHANISMS as readonly string[]).includes(mechanism))
      throw new Error(`KAFKA_SASL_MECHANISM must be one of ${KAFKA_SASL_MECHANISMS.join(', ')}`);
    if (!env.KAFKA_SASL_USERNAME || !env.KAFKA_SASL_PASSWORD)
      throw new Error('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with KAFKA_SASL_MECHANISM');
    security.sasl = {
      mechanism,
      username: env.KAFKA_SASL_USERNAME,
      password: env.KAFKA_SASL_PASSWORD,
    } as SASLOptions;
  }
  if (env.KAFKA_SSL === 'true' || env.KAFKA_SSL_CA_FILE)
    security.ssl = env.KAFKA_SSL_CA_FILE
      ? { ca: [readFileSync(env.KAFKA_SSL_CA_FILE, 'utf8')], rejectUnauthorized: true }
      : { rejectUnauthorized: true };
  return security;
}

/**
 * Every Kafka connection of the platform is made here, so a KafkaJS-compatible client can replace it in one
 * place. SASL and TLS come from the environment (`kafkaSecurityFromEnv`) unless `overrides` say otherwise.
 */
export function createKafka(brokers: string, clientId: string, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    ...kafkaSecurityFromEnv(),
    clientId,
    brokers: brokers
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    logLevel: logLevel.WARN,
    logCreator: nestLogCreator,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 250, maxRetryTime: 5000, retries: 10 },
    ...overrides,
  });
}
