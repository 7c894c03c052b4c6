import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@crm/auth';
import { CareActionsRepository, CareActionView, PlaybookView } from './care-actions.repository';
import { ParseUuid } from '@crm/service-kit';
import { JourneysService } from '../journeys/journeys.service';

@ApiTags('care actions')
@ApiBearerAuth()
@Controller()
export class CareActionsController {
  constructor(
    private readonly careActions: CareActionsRepository,
    private readonly journeys: JourneysService,
  ) {}

  @Get('customers/:customerId/care-actions')
  @Roles('agent', 'analyst', 'integration')
  @ApiOperation({
    summary: "A customer's care actions, newest first, with status and the reason for any suppression",
  })
  @ApiOkResponse({ type: CareActionView, isArray: true })
  forCustomer(@Param('customerId', new ParseUuid()) customerId: string): Promise<CareActionView[]> {
    return this.careActions.forCustomer(customerId);
  }

  @Get('playbooks')
  @Roles('agent', 'analyst', 'admin')
  @ApiOperation({
    summary:
      'The playbooks: journeys entered on a platform trigger with one touch (change one with PUT /campaigns/journeys/:id)',
  })
  @ApiOkResponse({ type: PlaybookView, isArray: true })
  playbooks(): Promise<PlaybookView[]> {
    return this.journeys.playbooks();
  }
}
