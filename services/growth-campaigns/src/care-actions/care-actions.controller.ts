import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Roles } from '@crm/auth';

@ApiTags('care actions')
@ApiBearerAuth()
@Controller()
export class CareActionsController {
  constructor(private readonly dataSource: DataSource) {}

  @Get('customers/:customerId/care-actions')
  @Roles('agent', 'analyst', 'integration')
  @ApiOperation({
    summary: "A customer's care actions, newest first, with status and the reason for any suppression",
  })
  async forCustomer(@Param('customerId', new ParseUUIDPipe()) customerId: string) {
    const rows = await this.dataSource.query(
      'SELECT * FROM care_actions WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 200',
      [customerId],
    );
    return rows.map((r: Record<string, unknown>) => ({
      id: r.id,
      playbook: r.playbook_id,
      action: r.action,
      purpose: r.purpose,
      channel: r.channel,
      status: r.status,
      reason: r.reason,
      idempotencyKey: r.idempotency_key,
      triggeredByEventId: r.trigger_event_id,
      contactDueAt: r.contact_due_at,
      createdAt: r.created_at,
      deliveredAt: r.delivered_at,
    }));
  }

  @Get('playbooks')
  @Roles('agent', 'analyst', 'admin')
  @ApiOperation({ summary: 'The playbooks: which trigger leads to which care action' })
  playbooks() {
    return this.dataSource.query(
      'SELECT id, trigger, action, purpose, channel, contact_due_hours AS "contactDueHours", category, enabled, description FROM playbooks ORDER BY id',
    );
  }
}
