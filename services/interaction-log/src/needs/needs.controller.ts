import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles, type Principal } from '@crm/auth';
import { CorrelationId, CurrentPrincipal, invalid, ParseUuid } from '@crm/service-kit';
import { OWNER, OWNER_MESSAGE, RecordNeedDto, UpdateNeedDto } from './needs.dto';
import { NeedsService, NeedView } from './needs.service';

/** Agents and admins read need descriptions and solutions; analysts see them masked. */
/** Whether the caller reads personal free text in full. */
export const readsPersonalText = (principal: Principal) =>
  principal.roles.some((r) => r === 'agent' || r === 'admin');

@ApiTags('needs')
@ApiBearerAuth()
@Controller()
export class NeedsController {
  constructor(private readonly needs: NeedsService) {}

  @Post('customers/:customerId/needs')
  @Roles('agent')
  @ApiOperation({
    summary: "Add a need to the customer's needs register (type, description, priority, owner, due date)",
  })
  @ApiOkResponse({ type: NeedView })
  record(
    @Param('customerId', new ParseUuid()) customerId: string,
    @Body() dto: RecordNeedDto,
    @CorrelationId() correlationId: string,
  ) {
    return this.needs.record(customerId, dto, correlationId);
  }

  @Get('customers/:customerId/needs')
  @Roles('agent', 'analyst')
  @ApiOperation({ summary: "A customer's needs register, newest first" })
  @ApiOkResponse({ type: [NeedView] })
  forCustomer(
    @Param('customerId', new ParseUuid()) customerId: string,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.needs.forCustomer(customerId, readsPersonalText(principal));
  }

  @Patch('needs/:needId')
  @Roles('agent')
  @ApiOperation({
    summary:
      "Change a need's status, priority, owner or due date, record its solution, or the customer's confirmation",
  })
  @ApiOkResponse({ type: NeedView })
  update(
    @Param('needId', new ParseUuid()) needId: string,
    @Body() dto: UpdateNeedDto,
    @CorrelationId() correlationId: string,
  ) {
    return this.needs.update(needId, dto, correlationId);
  }

  @Get('owners/:owner/needs')
  @Roles('agent', 'analyst')
  @ApiOperation({ summary: "An owner's unsolved needs, the longest overdue first" })
  @ApiOkResponse({ type: [NeedView] })
  forOwner(@Param('owner') owner: string, @CurrentPrincipal() principal: Principal) {
    if (!OWNER.test(owner)) throw invalid('owner', OWNER_MESSAGE);
    return this.needs.forOwner(owner, readsPersonalText(principal));
  }
}
