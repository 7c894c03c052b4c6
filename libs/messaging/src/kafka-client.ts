import { Kafka, logLevel, type KafkaConfig, type logCreator } from 'kafkajs';
import { Logger } from '@nestjs/common';

/** kafkajs logs through Nest's logger, so they come out as JSON with trace ids like everything else. */
const nestLogCreator: logCreator = () => {
  const logger = new Logger('kafkajs');
  return ({ level, log }) => {
    const { message, ...extra } = log;
    const line = { msg: message, ...extra };
    // kafkajs logs every failed response at ERROR even when it retries it; those are warnings.
    if (level === logLevel.ERROR && !message.startsWith('Response ')) logger.error(line);
    else if (level === logLevel.ERROR) logger.warn(line);
    else if (level === logLevel.WARN) logger.warn(line);
    else if (level === logLevel.INFO) logger.debug(line);
  };
};

/** Every Kafka connection of the platform is made here, so a KafkaJS-compatible client can replace it in one place. */
export function createKafka(brokers: string, clientId: string, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
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
