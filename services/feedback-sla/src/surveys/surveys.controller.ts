import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles, type Principal } from '@crm/auth';
import { CorrelationId, CurrentPrincipal, ParseUuid } from '@crm/service-kit';
import { AnswerSurveyDto } from './answer-survey.dto';
import { SurveysService } from './surveys.service';

@ApiTags('surveys')
@ApiBearerAuth()
@Controller()
export class SurveysController {
  constructor(private readonly surveys: SurveysService) {}

  @Get('customers/:customerId/surveys')
  @Roles('agent', 'analyst')
  @ApiOperation({ summary: "A customer's survey requests: sent, suppressed (with the reason) or answered" })
  forCustomer(
    @Param('customerId', new ParseUuid()) customerId: string,
    @CurrentPrincipal() principal: Principal,
  ) {
    const readsComments = principal.roles.some((r) => r === 'agent' || r === 'admin');
    return this.surveys.forCustomer(customerId, readsComments);
  }

  @Post('surveys/:id/answer')
  @HttpCode(200)
  @Roles('agent', 'integration')
  @ApiOperation({
    summary:
      "Record the customer's score (CSAT 1-5, NPS 0-10); a low score opens a follow-up ticket due in 48 h",
  })
  answer(
    @Param('id', new ParseUuid()) id: string,
    @Body() dto: AnswerSurveyDto,
    @CorrelationId() correlationId: string,
  ) {
    return this.surveys.answer(id, dto, correlationId);
  }

  @Post('surveys/nps-rounds')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Run the periodic NPS round now (it also runs on its durable schedule)' })
  npsRound(@CorrelationId() correlationId: string) {
    return this.surveys.npsRound(correlationId);
  }
}
