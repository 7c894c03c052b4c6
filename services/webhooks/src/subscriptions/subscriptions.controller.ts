import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Roles, type Principal } from '@crm/auth';
import { CorrelationId, CurrentPrincipal, ParseUuid } from '@crm/service-kit';
import {
  CreateSubscriptionDto,
  DeliveriesQueryDto,
  DeliveryView,
  ReplayDto,
  ReplayView,
  RotatedSecretView,
  SubscriptionView,
  SubscriptionWithSecretView,
  UpdateSubscriptionDto,
} from './subscription.dto';
import { SubscriptionsService } from './subscriptions.service';

@ApiTags('subscriptions')
@ApiBearerAuth()
@Controller('subscriptions')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Post()
  @Roles('admin', 'integration')
  @ApiOperation({
    summary: 'Subscribe an endpoint to event types (optionally of one segment); answers its secret once',
  })
  @ApiCreatedResponse({ type: SubscriptionWithSecretView })
  create(
    @Body() dto: CreateSubscriptionDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<SubscriptionWithSecretView> {
    return this.subscriptions.create(dto, principal.sub);
  }

  @Get()
  @Roles('admin', 'integration', 'analyst')
  @ApiOperation({ summary: 'The subscriptions, with their status and pending deliveries' })
  @ApiOkResponse({ type: SubscriptionView, isArray: true })
  list(): Promise<SubscriptionView[]> {
    return this.subscriptions.list();
  }

  @Get(':id')
  @Roles('admin', 'integration', 'analyst')
  @ApiOkResponse({ type: SubscriptionView })
  get(@Param('id', new ParseUuid()) id: string): Promise<SubscriptionView> {
    return this.subscriptions.get(id);
  }

  @Patch(':id')
  @Roles('admin', 'integration')
  @ApiOperation({ summary: 'Change the endpoint, the event types or the segment filter' })
  @ApiOkResponse({ type: SubscriptionView })
  update(
    @Param('id', new ParseUuid()) id: string,
    @Body() dto: UpdateSubscriptionDto,
  ): Promise<SubscriptionView> {
    return this.subscriptions.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('admin', 'integration')
  @ApiOperation({ summary: 'Delete the subscription; pending deliveries are cancelled' })
  @ApiNoContentResponse()
  remove(@Param('id', new ParseUuid()) id: string): Promise<void> {
    return this.subscriptions.remove(id);
  }

  @Post(':id/secret/rotate')
  @HttpCode(200)
  @Roles('admin', 'integration')
  @ApiOperation({ summary: 'A new secret; the previous one keeps signing beside it for the overlap window' })
  @ApiOkResponse({ type: RotatedSecretView })
  rotate(@Param('id', new ParseUuid()) id: string): Promise<RotatedSecretView> {
    return this.subscriptions.rotateSecret(id);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @Roles('admin', 'integration')
  @ApiOperation({ summary: 'Resume a subscription paused after repeated failures' })
  @ApiOkResponse({ type: SubscriptionView })
  resume(
    @Param('id', new ParseUuid()) id: string,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<SubscriptionView> {
    return this.subscriptions.resume(id, principal.sub, correlationId);
  }

  @Post(':id/replay')
  @HttpCode(202)
  @Roles('admin', 'integration')
  @ApiOperation({ summary: 'Re-deliver the events of the subscription that happened after a time' })
  @ApiAcceptedResponse({ type: ReplayView })
  async replay(@Param('id', new ParseUuid()) id: string, @Body() dto: ReplayDto): Promise<ReplayView> {
    return {
      deliveries: await this.subscriptions.replay(
        id,
        new Date(dto.from),
        dto.to ? new Date(dto.to) : undefined,
      ),
    };
  }

  @Get(':id/deliveries')
  @Roles('admin', 'integration', 'analyst')
  @ApiOperation({ summary: 'The delivery log: each delivery with its attempts, response codes and timings' })
  @ApiOkResponse({ type: DeliveryView, isArray: true })
  deliveries(
    @Param('id', new ParseUuid()) id: string,
    @Query() query: DeliveriesQueryDto,
  ): Promise<DeliveryView[]> {
    return this.subscriptions.deliveries(id, query.status, Number(query.limit ?? 100));
  }
}
