import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { IsIn } from 'class-validator';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Roles, type Principal } from '@crm/auth';
import { CorrelationId, CurrentPrincipal, notFound, ParseUuid } from '@crm/service-kit';
import { HeldReferralView, ReferralRewards } from './referral-rewards';
import {
  CustomerReferralsView,
  ReferralCodeView,
  ReferralsRepository,
  RewardView,
} from './referrals.repository';

@ApiTags('referrals')
@ApiBearerAuth()
@Controller('customers/:customerId')
export class ReferralsController {
  constructor(private readonly referrals: ReferralsRepository) {}

  @Get('code')
  @Roles('agent', 'integration')
  @ApiOperation({ summary: "The customer's personal referral code, for one-click sharing" })
  @ApiOkResponse({ type: ReferralCodeView })
  async code(@Param('customerId', new ParseUuid()) customerId: string): Promise<ReferralCodeView> {
    const code = await this.referrals.code(customerId);
    if (!code) throw notFound('referral member', customerId);
    return { customerId, code };
  }

  @Get('referrals')
  @Roles('agent', 'analyst', 'integration')
  @ApiOperation({ summary: 'Referrals the customer made, and the one that brought them (if any)' })
  @ApiOkResponse({ type: CustomerReferralsView })
  list(@Param('customerId', new ParseUuid()) customerId: string): Promise<CustomerReferralsView> {
    return this.referrals.ofCustomer(customerId);
  }

  @Get('rewards')
  @Roles('agent', 'analyst', 'integration')
  @ApiOperation({ summary: 'The reward ledger of the customer' })
  @ApiOkResponse({ type: RewardView, isArray: true })
  rewards(@Param('customerId', new ParseUuid()) customerId: string): Promise<RewardView[]> {
    return this.referrals.rewards(customerId);
  }
}

export class ReviewReferralDto {
  @ApiProperty({ enum: ['released', 'rejected'] })
  @IsIn(['released', 'rejected'])
  review: 'released' | 'rejected';
}

/** Referrals held by the velocity checks, and their review. */
@ApiTags('referrals')
@ApiBearerAuth()
@Controller('referrals')
export class ReferralReviewsController {
  constructor(private readonly rewards: ReferralRewards) {}

  @Get('held')
  @Roles('analyst')
  @ApiOperation({ summary: 'Referrals held for review by the velocity checks, oldest first' })
  @ApiOkResponse({ type: [HeldReferralView] })
  held() {
    return this.rewards.held();
  }

  @Post(':referralId/review')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Release a held referral (its rewards are granted) or reject it (never rewarded)',
  })
  review(
    @Param('referralId', new ParseUuid()) referralId: string,
    @Body() dto: ReviewReferralDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ) {
    return this.rewards.review(referralId, dto.review, principal.sub, correlationId);
  }
}
