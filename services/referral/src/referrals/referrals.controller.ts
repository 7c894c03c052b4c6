import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Roles } from '@crm/auth';
import { notFound } from '@crm/service-kit';

@ApiTags('referrals')
@ApiBearerAuth()
@Controller('customers/:customerId')
export class ReferralsController {
  constructor(private readonly dataSource: DataSource) {}

  @Get('code')
  @Roles('agent', 'integration')
  @ApiOperation({ summary: "The customer's personal referral code, for one-click sharing" })
  async code(@Param('customerId', new ParseUUIDPipe()) customerId: string) {
    const [member] = await this.dataSource.query('SELECT code FROM members WHERE customer_id = $1', [
      customerId,
    ]);
    if (!member) throw notFound('referral member', customerId);
    return { customerId, code: member.code };
  }

  @Get('referrals')
  @Roles('agent', 'analyst', 'integration')
  @ApiOperation({ summary: 'Referrals the customer made, and the one that brought them (if any)' })
  async referrals(@Param('customerId', new ParseUUIDPipe()) customerId: string) {
    const rows = await this.dataSource.query(
      'SELECT * FROM referrals WHERE referrer_id = $1 OR referee_id = $1 ORDER BY attributed_at',
      [customerId],
    );
    const [rejected] = await this.dataSource.query(
      'SELECT code, reason, rejected_at FROM rejected_referrals WHERE referee_id = $1',
      [customerId],
    );
    return {
      referrals: rows.map((r: Record<string, unknown>) => ({
        id: r.id,
        role: r.referrer_id === customerId ? 'referrer' : 'referee',
        referrerId: r.referrer_id,
        refereeId: r.referee_id,
        status: r.status,
        attributedAt: r.attributed_at,
        qualifiedAt: r.qualified_at,
        qualifyingOrderId: r.qualifying_order_id,
      })),
      rejected: rejected
        ? { code: rejected.code, reason: rejected.reason, rejectedAt: rejected.rejected_at }
        : null,
    };
  }

  @Get('rewards')
  @Roles('agent', 'analyst', 'integration')
  @ApiOperation({ summary: 'The reward ledger of the customer' })
  async rewards(@Param('customerId', new ParseUUIDPipe()) customerId: string) {
    const rows = await this.dataSource.query(
      'SELECT * FROM rewards WHERE customer_id = $1 ORDER BY granted_at',
      [customerId],
    );
    return rows.map((r: Record<string, unknown>) => ({
      id: r.id,
      referralId: r.referral_id,
      role: r.role,
      points: r.points,
      idempotencyKey: r.idempotency_key,
      grantedAt: r.granted_at,
    }));
  }
}
