import { Controller, Get, Header, HttpCode, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '@crm/auth';
import { createKafka, MESSAGING_OPTIONS, consumersDown, type MessagingOptions } from '@crm/messaging';
import { metricsRegistry } from '@crm/observability';

/** Liveness, readiness (database and Kafka) and Prometheus metrics: the only public routes. */
@ApiExcludeController()
@Controller()
export class HealthController {
  private kafkaCheckedAt = 0;
  private kafkaOk = false;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MESSAGING_OPTIONS) private readonly messaging: MessagingOptions,
  ) {}

  /**
   * Alive while every consumer of the process runs: one that kafkajs stopped for good (a group it may not join, a
   * session timeout the broker refuses) leaves a process that answers and consumes nothing, which only a restart
   * can mend; 503 names the group and the error.
   */
  @Public()
  @Get('health/live')
  live() {
    const down = consumersDown();
    if (down) throw new ServiceUnavailableException(down);
    return { status: 'ok' };
  }

  @Public()
  @Get('health/ready')
  @HttpCode(200)
  async ready() {
    const checks: Record<string, 'up' | 'down'> = { database: 'down', kafka: 'down' };
    try {
      await this.dataSource.query('SELECT 1');
      checks.database = 'up';
    } catch {
      checks.database = 'down';
    }
    checks.kafka = (await this.kafkaReachable()) ? 'up' : 'down';
    if (Object.values(checks).some((v) => v === 'down'))
      throw new ServiceUnavailableException({ status: 'unavailable', checks });
    return { status: 'ok', checks };
  }

  @Public()
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metrics() {
    return metricsRegistry.metrics();
  }

  /** Asks the broker for its cluster metadata; cached for 5 s so probes do not hammer it. */
  private async kafkaReachable(): Promise<boolean> {
    if (Date.now() - this.kafkaCheckedAt < 5000) return this.kafkaOk;
    const admin = createKafka(this.messaging.brokers, `${this.messaging.serviceName}-health`, {
      retry: { retries: 0 },
      connectionTimeout: 1500,
    }).admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      this.kafkaOk = true;
    } catch {
      this.kafkaOk = false;
    } finally {
      await admin.disconnect().catch(() => undefined);
      this.kafkaCheckedAt = Date.now();
    }
    return this.kafkaOk;
  }
}
