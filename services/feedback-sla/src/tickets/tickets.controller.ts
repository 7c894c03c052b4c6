import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Roles } from '@crm/auth';
import { CorrelationId } from '@crm/service-kit';
import { policyFromRow } from '../policies/sla-policy';
import { OpenTicketDto, SlaPolicyDto } from './open-ticket.dto';
import { TicketsService } from './tickets.service';

@ApiTags('tickets')
@ApiBearerAuth()
@Controller()
export class TicketsController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly dataSource: DataSource,
  ) {}

  @Post('tickets')
  @Roles('agent', 'integration')
  @ApiOperation({ summary: 'Open a ticket; the first matching SLA policy sets its deadlines' })
  open(@Body() dto: OpenTicketDto, @CorrelationId() correlationId: string) {
    return this.tickets.open(dto, correlationId);
  }

  @Get('tickets/:id')
  @Roles('agent', 'analyst')
  get(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.tickets.get(id);
  }

  @Post('tickets/:id/respond')
  @HttpCode(200)
  @Roles('agent')
  @ApiOperation({ summary: 'Record the first response' })
  respond(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.tickets.respond(id);
  }

  @Post('tickets/:id/resolve')
  @HttpCode(200)
  @Roles('agent')
  @ApiOperation({ summary: 'Resolve the ticket; a CSAT survey is requested' })
  resolve(@Param('id', new ParseUUIDPipe()) id: string, @CorrelationId() correlationId: string) {
    return this.tickets.resolve(id, correlationId);
  }

  @Get('customers/:customerId/tickets')
  @Roles('agent', 'analyst')
  forCustomer(@Param('customerId', new ParseUUIDPipe()) customerId: string) {
    return this.tickets.forCustomer(customerId);
  }

  @Get('customers/:customerId/surveys')
  @Roles('agent', 'analyst')
  surveys(@Param('customerId', new ParseUUIDPipe()) customerId: string) {
    return this.dataSource.query(
      'SELECT id, kind, order_id AS "orderId", ticket_id AS "ticketId", requested_at AS "requestedAt" FROM survey_requests WHERE customer_id = $1 ORDER BY requested_at DESC',
      [customerId],
    );
  }

  @Get('sla-policies')
  @Roles('agent', 'analyst', 'admin')
  @ApiOperation({ summary: 'SLA policies in the order they are tried (first match wins)' })
  async policies() {
    return (await this.dataSource.query('SELECT * FROM sla_policies ORDER BY position')).map(policyFromRow);
  }

  @Put('sla-policies/:id')
  @Roles('admin')
  @ApiOperation({ summary: 'Create or replace an SLA policy' })
  async upsertPolicy(@Param('id') id: string, @Body() dto: SlaPolicyDto) {
    await this.dataSource.query(
      `INSERT INTO sla_policies (id, position, ticket_type, customer_tier, customer_segment, priority, first_response_seconds, resolution_seconds, requires_owner, description)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
       ON CONFLICT (id) DO UPDATE SET position = EXCLUDED.position, ticket_type = EXCLUDED.ticket_type, customer_tier = EXCLUDED.customer_tier,
         customer_segment = EXCLUDED.customer_segment, priority = EXCLUDED.priority, first_response_seconds = EXCLUDED.first_response_seconds,
         resolution_seconds = EXCLUDED.resolution_seconds, requires_owner = EXCLUDED.requires_owner, description = EXCLUDED.description`,
      [
        id,
        dto.position,
        dto.ticketType ?? null,
        dto.customerTier ?? null,
        dto.customerSegment ?? null,
        dto.priority ?? null,
        dto.firstResponseSeconds,
        dto.resolutionSeconds,
        dto.requiresOwner ?? false,
        dto.description ?? '',
      ],
    );
    return (await this.dataSource.query('SELECT * FROM sla_policies WHERE id = $1', [id])).map(
      policyFromRow,
    )[0];
  }
}
