import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles, type Principal } from '@crm/auth';
import { CorrelationId, CurrentPrincipal, ParseUuid } from '@crm/service-kit';
import { AssignTicketDto, ChangePriorityDto, OpenTicketDto, QueueQueryDto } from './open-ticket.dto';
import { QueueItemView, TicketAssignmentView, TicketsService } from './tickets.service';

const uuid = new ParseUuid();

@ApiTags('tickets')
@ApiBearerAuth()
@Controller()
export class TicketsController {
  constructor(private readonly tickets: TicketsService) {}

  @Post('tickets')
  @Roles('agent', 'integration')
  @ApiOperation({ summary: 'Open a ticket; the first matching SLA policy sets its deadlines' })
  open(@Body() dto: OpenTicketDto, @CorrelationId() correlationId: string) {
    return this.tickets.open(dto, correlationId);
  }

  @Get('queue')
  @Roles('agent', 'analyst')
  @ApiOperation({
    summary:
      'Open tickets by time left to their next deadline, breached and most at risk first; filter by owner, type, tier, priority',
  })
  @ApiOkResponse({ type: [QueueItemView] })
  queue(@Query() query: QueueQueryDto) {
    return this.tickets.queue(query);
  }

  @Post('tickets/:id/assign')
  @HttpCode(200)
  @Roles('agent')
  @ApiOperation({ summary: 'Give a ticket to another owner (audited; ticket changed: reassigned)' })
  assign(
    @Param('id', uuid) id: string,
    @Body() dto: AssignTicketDto,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.tickets.assign(id, dto.owner, principal.sub, dto.reason);
  }

  @Get('tickets/:id/assignments')
  @Roles('agent', 'analyst')
  @ApiOperation({ summary: "A ticket's assignment history, oldest first" })
  @ApiOkResponse({ type: [TicketAssignmentView] })
  assignments(@Param('id', uuid) id: string) {
    return this.tickets.assignments(id);
  }

  @Get('tickets/:id')
  @Roles('agent', 'analyst')
  get(@Param('id', uuid) id: string) {
    return this.tickets.get(id);
  }

  @Post('tickets/:id/respond')
  @HttpCode(200)
  @Roles('agent')
  @ApiOperation({ summary: "Record the first response, or the answer to the customer's latest message" })
  respond(@Param('id', uuid) id: string) {
    return this.tickets.respond(id);
  }

  @Post('tickets/:id/wait-on-customer')
  @HttpCode(200)
  @Roles('agent')
  @ApiOperation({ summary: 'Wait on the customer: the SLA clock pauses, keeping the time already used' })
  waitOnCustomer(@Param('id', uuid) id: string) {
    return this.tickets.waitOnCustomer(id);
  }

  @Post('tickets/:id/customer-replied')
  @HttpCode(200)
  @Roles('agent', 'integration')
  @ApiOperation({ summary: 'The customer wrote: the clock runs again and a next response is due' })
  customerReplied(@Param('id', uuid) id: string) {
    return this.tickets.customerReplied(id);
  }

  @Patch('tickets/:id/priority')
  @Roles('agent')
  @ApiOperation({ summary: 'Change the priority; deadlines are recomputed from the time already used' })
  changePriority(@Param('id', uuid) id: string, @Body() dto: ChangePriorityDto) {
    return this.tickets.changePriority(id, dto.priority);
  }

  @Post('tickets/:id/resolve')
  @HttpCode(200)
  @Roles('agent')
  @ApiOperation({
    summary: 'Resolve the ticket; a CSAT survey is requested unless the quiet period holds it',
  })
  resolve(@Param('id', uuid) id: string, @CorrelationId() correlationId: string) {
    return this.tickets.resolve(id, correlationId);
  }

  @Post('tickets/:id/reopen')
  @HttpCode(200)
  @Roles('agent')
  @ApiOperation({
    summary:
      'Reopen a resolved ticket: a new resolution round with the full target from now (409 when not resolved)',
  })
  reopen(@Param('id', uuid) id: string) {
    return this.tickets.reopen(id);
  }

  @Get('customers/:customerId/tickets')
  @Roles('agent', 'analyst')
  forCustomer(@Param('customerId', uuid) customerId: string) {
    return this.tickets.forCustomer(customerId);
  }
}
