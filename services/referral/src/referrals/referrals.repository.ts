import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { queryOne, queryRows } from '@crm/persistence';

interface ReferralRow {
  id: string;
  referrer_id: string;
  referee_id: string;
  status: string;
  attributed_at: Date;
  qualified_at: Date | null;
  qualifying_order_id: string | null;
}

interface RejectedReferralRow {
  code: string;
  reason: string;
  rejected_at: Date;
}

interface RewardRow {
  id: string;
  referral_id: string;
  role: 'referrer' | 'referee';
  points: number;
  idempotency_key: string;
  granted_at: Date;
}

export class ReferralCodeView {
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty() code: string;
}

export class ReferralView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['referrer', 'referee'] }) role: 'referrer' | 'referee';
  @ApiProperty({ format: 'uuid' }) referrerId: string;
  @ApiProperty({ format: 'uuid' }) refereeId: string;
  @ApiProperty({ enum: ['attributed', 'qualified', 'clawed-back'] }) status: string;
  @ApiProperty() attributedAt: Date;
  @ApiPropertyOptional({ nullable: true }) qualifiedAt: Date | null;
  @ApiPropertyOptional({ nullable: true }) qualifyingOrderId: string | null;
}

export class RejectedReferralView {
  @ApiProperty() code: string;
  @ApiProperty() reason: string;
  @ApiProperty() rejectedAt: Date;
}

export class CustomerReferralsView {
  @ApiProperty({ type: [ReferralView] }) referrals: ReferralView[];
  @ApiPropertyOptional({ type: RejectedReferralView, nullable: true }) rejected: RejectedReferralView | null;
}

export class RewardView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) referralId: string;
  @ApiProperty({ enum: ['referrer', 'referee'] }) role: 'referrer' | 'referee';
  @ApiProperty() points: number;
  @ApiProperty() idempotencyKey: string;
  @ApiProperty() grantedAt: Date;
}

/** Reads of the referral tables, mapped to the API's views. */
@Injectable()
export class ReferralsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async code(customerId: string): Promise<string | undefined> {
    const row = await queryOne<{ code: string }>(
      this.dataSource,
      'SELECT code FROM members WHERE customer_id = $1',
      [customerId],
    );
    return row?.code;
  }

  async ofCustomer(customerId: string): Promise<CustomerReferralsView> {
    const rows = await queryRows<ReferralRow>(
      this.dataSource,
      'SELECT * FROM referrals WHERE referrer_id = $1 OR referee_id = $1 ORDER BY attributed_at',
      [customerId],
    );
    const rejected = await queryOne<RejectedReferralRow>(
      this.dataSource,
      'SELECT code, reason, rejected_at FROM rejected_referrals WHERE referee_id = $1',
      [customerId],
    );
    return {
      referrals: rows.map((r) => ({
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

  async rewards(customerId: string): Promise<RewardView[]> {
    const rows = await queryRows<RewardRow>(
      this.dataSource,
      'SELECT * FROM rewards WHERE customer_id = $1 ORDER BY granted_at',
      [customerId],
    );
    return rows.map((r) => ({
      id: r.id,
      referralId: r.referral_id,
      role: r.role,
      points: r.points,
      idempotencyKey: r.idempotency_key,
      grantedAt: r.granted_at,
    }));
  }
}
