import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@crm/auth';
import { notFound, ParseUuid } from '@crm/service-kit';
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
