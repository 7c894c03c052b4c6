import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@crm/auth';
import {
  CareActionTriggered,
  CustomerErased,
  type CareActionTriggeredV1,
  type CustomerErasedV1,
  type EventEnvelope,
} from '@crm/contracts';
import type { EventContext } from '@crm/messaging';
import { CorrelationId, ParseUuid } from '@crm/service-kit';
import { NeedsService } from '../needs/needs.service';
import { InteractionsService, InteractionView, TimelineView } from './interactions.service';
import { LogInteractionDto, TimelineQueryDto } from './log-interaction.dto';

@ApiTags('interactions')
@ApiBearerAuth()
@Controller('customers/:customerId')
export class InteractionsController {
  constructor(private readonly interactions: InteractionsService) {}

  @Post('interactions')
  @Roles('agent', 'integration')
  @ApiOperation({
    summary: 'Log an interaction (date, channel, topic, participants, feedback, follow-up, owner, status)',
  })
  @ApiOkResponse({ type: InteractionView })
  log(
    @Param('customerId', new ParseUuid()) customerId: string,
    @Body() dto: LogInteractionDto,
    @CorrelationId() correlationId: string,
  ) {
    return this.interactions.logFromApi(customerId, dto, correlationId);
  }

  @Get('timeline')
  @Roles('agent', 'analyst', 'integration')
  @ApiOperation({ summary: "A customer's interactions, newest first, paginated with nextCursor" })
  @ApiOkResponse({ type: TimelineView })
  timeline(@Param('customerId', new ParseUuid()) customerId: string, @Query() query: TimelineQueryDto) {
    return this.interactions.timeline(customerId, query.limit, query.cursor);
  }
}

/** Every automated outbound touch is logged as an interaction. */
@Controller()
export class InteractionHandlers {
  constructor(
    private readonly interactions: InteractionsService,
    private readonly needs: NeedsService,
  ) {}

  @EventPattern(CareActionTriggered.type)
  async onCareAction(@Payload() event: EventEnvelope<CareActionTriggeredV1>, @Ctx() context: EventContext) {
    const action = event.data;
    await this.interactions.log(
      context.manager,
      {
        customerId: action.customerId,
        occurredAt: new Date(action.triggeredAt),
        channel: action.channel,
        direction: 'outbound',
        topic: `${action.playbook}: ${action.action}`,
        participants: ['growth-campaigns'],
        followUpDueAt: action.contactDueAt ? new Date(action.contactDueAt) : null,
        status: action.contactDueAt ? 'pending' : 'done',
        automated: true,
        careActionId: action.careActionId,
      },
      context.cause,
    );
  }

  /** Erasure: who took part and what was said or agreed go; that a touch happened, when and how, stays. */
  @EventPattern(CustomerErased.type)
  async onErased(@Payload() event: EventEnvelope<CustomerErasedV1>, @Ctx() context: EventContext) {
    await this.interactions.erase(context.manager, event.data.customerId);
    // Needs: the customer's text key goes, and with it every description and solution.
    await this.needs.erase(context.manager, event.data.customerId);
  }
}
