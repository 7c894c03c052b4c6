import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import type { Request, Response } from 'express';
import { mintToken, Public, Roles, type Principal } from '@crm/auth';
import { CurrentPrincipal, oneOf } from '@crm/service-kit';
import { ConsoleConfig } from './console.config';
import { ConsoleService } from './console.service';
import { LiveEvents } from './live-events';
import { OidcSettings } from './oidc-settings';
import {
  CONSOLE_ROLES,
  OPENABLE_TICKET_TYPES,
  TICKET_ACTIONS,
  type ConsoleRole,
  type ConsoleSettings,
  type SignedIn,
  type TicketAction,
  type Who,
} from './view-model';

export class DevSignInDto {
  @IsIn(CONSOLE_ROLES) role: ConsoleRole;
  @Matches(/^[A-Za-z0-9._@-]{1,64}$/, {
    message: 'subject must be 1-64 letters, digits, dots, dashes, underscores or @',
  })
  subject: string;
}

export class RevealDto {
  @IsString() @Length(5, 500) reason: string;
}

export class OpenTicketDto {
  @IsIn(OPENABLE_TICKET_TYPES) type: string;
  @IsOptional() @IsIn(['low', 'normal', 'high', 'urgent']) priority?: string;
  @IsOptional() @IsString() @Length(1, 200) subject?: string;
}

export class SearchDto {
  @IsString() @Length(1, 500) q: string;
}

export class ExpressionDto {
  @IsString() @Length(1, 4000) expression: string;
}

const bearer = (request: Request): string => (request.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
const VIEWERS = ['agent', 'analyst', 'admin'] as const;

/** Signing in: the only routes without a token. */
@ApiTags('console')
@Controller('api')
export class ConsoleSessionController {
  constructor(
    private readonly config: ConsoleConfig,
    private readonly oidc: OidcSettings,
  ) {}

  @Get('settings')
  @Public()
  @ApiOperation({ summary: 'How to sign in here: the development flow and/or the identity provider' })
  async settings(): Promise<ConsoleSettings> {
    return {
      devSignIn: this.config.CONSOLE_DEV_SIGN_IN && Boolean(this.config.JWT_SECRET),
      oidc: await this.oidc.settings(),
      version: process.env.npm_package_version ?? '0.1.0',
    };
  }

  @Post('dev-sign-in')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Development only: a short-lived token for a role (404 when disabled)' })
  devSignIn(@Body() dto: DevSignInDto): SignedIn {
    if (!this.config.CONSOLE_DEV_SIGN_IN || !this.config.JWT_SECRET)
      throw new ServiceUnavailableException({
        statusCode: 503,
        code: 'DEV_SIGN_IN_DISABLED',
        message: 'the development sign-in is disabled here; sign in with the identity provider',
      });
    const seconds = this.config.CONSOLE_DEV_TOKEN_SECONDS;
    return {
      token: mintToken(this.config.JWT_SECRET, dto.subject, [dto.role], seconds),
      subject: dto.subject,
      roles: [dto.role],
      expiresAt: new Date(Date.now() + seconds * 1000).toISOString(),
    };
  }
}

@ApiTags('console')
@ApiBearerAuth()
@Controller('api')
export class ConsoleController {
  constructor(
    private readonly console: ConsoleService,
    private readonly live: LiveEvents,
  ) {}

  @Get('me')
  @Roles(...VIEWERS)
  me(@CurrentPrincipal() principal: Principal): Who {
    return { subject: principal.sub, roles: [...principal.roles] };
  }

  @Post('customers/search')
  @HttpCode(200)
  @Roles(...VIEWERS)
  @ApiOperation({
    summary:
      'Find customers: a reference or id, name:<exact name>, owner:<id>, tier:<tier>, segment:<id> or where:<expression> (in the body: no name in a URL)',
  })
  search(@Req() request: Request, @Body() dto: SearchDto) {
    return this.console.search(bearer(request), dto.q);
  }

  @Get('customers/:id')
  @Roles(...VIEWERS)
  @ApiOperation({
    summary: "A customer's 360: profile (masked per role), scores with their why, history, work",
  })
  customer(@Req() request: Request, @Param('id') id: string) {
    return this.console.customer360(bearer(request), id);
  }

  @Post('customers/:id/reveal')
  @HttpCode(200)
  @Roles('agent')
  @ApiOperation({ summary: 'Reveal personal data for a reason (audited by customer-profile)' })
  reveal(@Req() request: Request, @Param('id') id: string, @Body() dto: RevealDto) {
    return this.console.reveal(bearer(request), id, dto.reason);
  }

  @Post('customers/:id/tickets')
  @Roles('agent')
  @ApiOperation({
    summary: 'Open a ticket for the customer, owned by the caller; the SLA policy sets its deadlines',
  })
  openTicket(
    @Req() request: Request,
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() dto: OpenTicketDto,
  ) {
    return this.console.openTicket(bearer(request), id, principal.sub, dto);
  }

  @Get('sla/board')
  @Roles(...VIEWERS)
  board(
    @Req() request: Request,
    @Query('tier') tier?: string,
    @Query('type') type?: string,
    @Query('owner') owner?: string,
  ) {
    return this.console.board(bearer(request), { tier, type, owner });
  }

  @Post('sla/tickets/:id/:action')
  @HttpCode(200)
  @Roles('agent')
  act(@Req() request: Request, @Param('id') id: string, @Param('action') action: string) {
    return this.console.act(bearer(request), id, oneOf<TicketAction>('action', TICKET_ACTIONS, action));
  }

  @Get('queue')
  @Roles(...VIEWERS)
  @ApiOperation({
    summary: "An owner's tasks, needs and plan tasks, overdue first (default: the caller's own)",
  })
  queue(@Req() request: Request, @CurrentPrincipal() principal: Principal, @Query('owner') owner?: string) {
    return this.console.queue(bearer(request), owner || principal.sub);
  }

  @Get('segments')
  @Roles(...VIEWERS)
  segments(@Req() request: Request) {
    return this.console.segments(bearer(request));
  }

  @Post('segments/preview')
  @HttpCode(200)
  @Roles(...VIEWERS)
  preview(@Req() request: Request, @Body() dto: ExpressionDto) {
    return this.console.segmentPreview(bearer(request), dto.expression);
  }

  @Get('segments/:id/why/:customerId')
  @Roles(...VIEWERS)
  why(@Req() request: Request, @Param('id') id: string, @Param('customerId') customerId: string) {
    return this.console.segmentWhy(bearer(request), id, customerId);
  }

  @Get('overview')
  @Roles(...VIEWERS)
  overview(@Req() request: Request) {
    return this.console.overview(bearer(request));
  }

  @Get('events')
  @Roles(...VIEWERS)
  @ApiOperation({
    summary:
      'Server-sent events fed from Kafka: each event type with the customer and ticket ids, no payload',
  })
  events(@Res() response: Response): void {
    const stop = this.live.listen(
      (event) => {
        response.write(`event: crm\ndata: ${JSON.stringify(event)}\n\n`);
      },
      () => response.end(),
    );
    if (!stop) {
      response
        .status(503)
        .json({ statusCode: 503, message: 'too many event streams on this replica; retry' });
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write(`retry: 3000\nevent: ready\ndata: {}\n\n`);
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), 15_000);
    // However the stream ends (the browser leaves, or the replica shuts down and ends it), the response closes.
    response.on('close', () => {
      clearInterval(heartbeat);
      stop();
    });
  }
}
