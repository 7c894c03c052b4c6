import {
  Controller,
  Get,
  HttpCode,
  Module,
  ServiceUnavailableException,
  type DynamicModule,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@crm/auth';
import { consumersDown } from '@crm/messaging';
import { metricsRegistry } from '@crm/observability';
import { ConsoleConfig } from './console.config';
import { ConsoleController, ConsoleSessionController } from './console.controller';
import { ConsoleService } from './console.service';
import { LiveEvents } from './live-events';
import { OidcSettings } from './oidc-settings';
import { Upstream } from './upstream';

/** Liveness, readiness (the event stream has joined Kafka) and metrics. */
@ApiExcludeController()
@Controller()
export class ConsoleHealthController {
  constructor(private readonly live: LiveEvents) {}

  /** Alive while the live events' consumer runs (see `consumersDown`). */
  @Public()
  @Get('health/live')
  alive() {
    const down = consumersDown();
    if (down) throw new ServiceUnavailableException(down);
    return { status: 'ok' };
  }

  @Public()
  @Get('health/ready')
  @HttpCode(200)
  ready() {
    if (!this.live.ready)
      throw new ServiceUnavailableException({ status: 'unavailable', checks: { kafka: 'down' } });
    return { status: 'ok', checks: { kafka: 'up' }, streams: this.live.streams };
  }

  @Public()
  @Get('metrics')
  async metrics() {
    return metricsRegistry.metrics();
  }
}

@Module({})
export class ConsoleModule {
  static with(config: ConsoleConfig): DynamicModule {
    return {
      module: ConsoleModule,
      controllers: [ConsoleSessionController, ConsoleController, ConsoleHealthController],
      providers: [
        { provide: ConsoleConfig, useValue: config },
        Upstream,
        ConsoleService,
        LiveEvents,
        OidcSettings,
      ],
    };
  }
}
