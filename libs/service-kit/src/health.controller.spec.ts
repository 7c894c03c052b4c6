import { ServiceUnavailableException } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import {
  forgetConsumer,
  recordConsumerCrash,
  recordConsumerJoined,
  type MessagingOptions,
} from '@crm/messaging';
import { HealthController } from './health.controller';

const quiet = { warn: () => undefined, error: () => undefined };

describe('HealthController liveness', () => {
  const controller = new HealthController({} as DataSource, { brokers: '127.0.0.1:1' } as MessagingOptions);
  afterEach(() => forgetConsumer('tagging'));

  it('is alive while its consumers run, and after a crash kafkajs restarts', () => {
    expect(controller.live()).toEqual({ status: 'ok' });
    recordConsumerCrash({ groupId: 'tagging', error: new Error('loading'), restart: true }, quiet);
    expect(controller.live()).toEqual({ status: 'ok' });
  });

  it('answers 503 naming the group and the error once kafkajs has stopped a consumer for good', () => {
    recordConsumerCrash(
      {
        groupId: 'tagging',
        error: Object.assign(new Error('Not authorized'), { name: 'KafkaJSProtocolError' }),
        restart: false,
      },
      quiet,
    );
    let thrown: unknown;
    try {
      controller.live();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ServiceUnavailableException);
    expect((thrown as ServiceUnavailableException).getStatus()).toBe(503);
    expect((thrown as ServiceUnavailableException).getResponse()).toMatchObject({
      status: 'down',
      consumers: [{ group: 'tagging', reason: 'KafkaJSProtocolError: Not authorized' }],
    });
    recordConsumerJoined('tagging');
    expect(controller.live()).toEqual({ status: 'ok' });
  });
});
