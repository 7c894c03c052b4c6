import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Roles, type Principal } from '@crm/auth';
import { CurrentPrincipal, invalid, ParseUuid } from '@crm/service-kit';
import { OWNER, OWNER_MESSAGE } from '../needs/needs.dto';
import { AddTaskDto, CreatePlanDto, SummaryQueryDto, TaskProgressDto } from './plans.dto';
import { summaryCsv } from './plan-summary';
import { PlansService, PlanView, TaskView } from './plans.service';

@ApiTags('plans')
@ApiBearerAuth()
@Controller()
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  @Post('plans')
  @Roles('agent')
  @ApiOperation({ summary: 'Start an improvement plan: goal, owner, start and end, the KPI goals it serves' })
  @ApiOkResponse({ type: PlanView })
  create(@Body() dto: CreatePlanDto) {
    return this.plans.create(dto);
  }

  @Get('plans')
  @Roles('agent', 'analyst')
  @ApiOperation({ summary: 'Improvement plans, the latest start first' })
  list() {
    return this.plans.list();
  }

  @Get('plans/:planId')
  @Roles('agent', 'analyst')
  @ApiOperation({ summary: 'A plan with its tasks' })
  @ApiOkResponse({ type: PlanView })
  get(@Param('planId', new ParseUuid()) planId: string) {
    return this.plans.get(planId);
  }

  @Post('plans/:planId/tasks')
  @Roles('agent')
  @ApiOperation({ summary: 'Add a cross-team task: owner, department, deadline' })
  @ApiOkResponse({ type: TaskView })
  addTask(@Param('planId', new ParseUuid()) planId: string, @Body() dto: AddTaskDto) {
    return this.plans.addTask(planId, dto);
  }

  @Post('plan-tasks/:taskId/progress')
  @HttpCode(200)
  @Roles('agent')
  @ApiOperation({
    summary:
      'Note progress on a task (0-100, optionally a new status); a delayed task is not delayed any more',
  })
  @ApiOkResponse({ type: TaskView })
  progress(
    @Param('taskId', new ParseUuid()) taskId: string,
    @Body() dto: TaskProgressDto,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.plans.progress(taskId, dto, principal.sub);
  }

  @Get('plans/:planId/summary')
  @Roles('agent', 'analyst')
  @ApiOperation({ summary: "A plan's weekly progress summary (JSON, or CSV with format=csv)" })
  @ApiProduces('application/json', 'text/csv')
  @Header('Cache-Control', 'no-store')
  async summary(@Param('planId', new ParseUuid()) planId: string, @Query() query: SummaryQueryDto) {
    const summary = await this.plans.summary(planId, query.weekOf);
    if (query.format !== 'csv') return summary;
    return new StreamableFile(Buffer.from(summaryCsv(summary), 'utf8'), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="plan-${planId}-${summary.week.from}.csv"`,
    });
  }

  @Get('owners/:owner/plan-tasks')
  @Roles('agent', 'analyst')
  @ApiOperation({ summary: "An owner's open plan tasks: escalated and delayed first, then by deadline" })
  @ApiOkResponse({ type: [TaskView] })
  forOwner(@Param('owner') owner: string) {
    if (!OWNER.test(owner)) throw invalid('owner', OWNER_MESSAGE);
    return this.plans.forOwner(owner);
  }
}
