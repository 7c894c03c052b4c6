import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { Roles } from '@crm/auth';
import { invalid, ParseUuid } from '@crm/service-kit';
import { CadencesService } from './cadences.service';
import { DateTriggersService } from '../dates/date-triggers.service';
import { ContactDeadlinesService } from './contact-deadlines.service';

class SetCadenceDto {
  @ApiProperty({ description: 'Days without a logged interaction before the owner gets a task' })
  @IsInt()
  @Min(1)
  @Max(366)
  intervalDays: number;
}

const OWNER = /^[A-Za-z0-9._@-]{1,64}$/;
const CADENCE_KEY = /^(tier|value-loyalty):[a-z-]{1,32}$/;

@ApiTags('cadences')
@ApiBearerAuth()
@Controller()
export class CadencesController {
  constructor(
    private readonly cadences: CadencesService,
    private readonly dates: DateTriggersService,
    private readonly deadlines: ContactDeadlinesService,
  ) {}

  @Get('customers/:customerId/deadlines')
  @Roles('admin', 'analyst', 'agent')
  @ApiOperation({
    summary:
      "The customer's contact deadlines (follow-ups, contact within 24 h): open, met, or overdue as a task",
  })
  deadlinesOf(@Param('customerId', new ParseUuid()) customerId: string) {
    return this.deadlines.deadlinesOf(customerId);
  }

  @Get('customers/:customerId/date-triggers')
  @Roles('admin', 'analyst', 'agent')
  @ApiOperation({
    summary:
      "The customer's next date triggers (birthday, membership anniversary, days since registration or without a purchase)",
  })
  dateTriggersOf(@Param('customerId', new ParseUuid()) customerId: string) {
    return this.dates.schedulesOf(customerId);
  }

  @Get('cadences')
  @Roles('admin', 'analyst', 'agent')
  @ApiOperation({
    summary: 'The maintenance calendar: the interval of each segment or tier, first match wins',
  })
  list() {
    return this.cadences.list();
  }

  @Put('cadences/:key')
  @Roles('admin')
  @ApiOperation({
    summary: "Change a cadence's interval; customers on it are re-timed from their last contact",
  })
  set(@Param('key') key: string, @Body() dto: SetCadenceDto) {
    if (!CADENCE_KEY.test(key))
      throw invalid('key', 'a cadence key is tier:<tier> or value-loyalty:<segment>');
    return this.cadences.setInterval(key, dto.intervalDays);
  }

  @Get('customers/:customerId/cadence')
  @Roles('admin', 'analyst', 'agent')
  @ApiOperation({ summary: "The customer's cadence, last contact and next due date" })
  cadenceOf(@Param('customerId', new ParseUuid()) customerId: string) {
    return this.cadences.cadenceOf(customerId);
  }

  @Get('owners/:owner/tasks')
  @Roles('admin', 'agent')
  @ApiOperation({ summary: "An owner's open tasks, the longest overdue first" })
  tasks(@Param('owner') owner: string) {
    if (!OWNER.test(owner))
      throw invalid('owner', 'owner must be 1-64 letters, digits, dots, dashes, underscores or @');
    return this.cadences.tasksOf(owner);
  }

  @Post('tasks/:taskId/done')
  @HttpCode(204)
  @Roles('admin', 'agent')
  @ApiOperation({ summary: 'Mark a task done' })
  async done(@Param('taskId', new ParseUuid()) taskId: string): Promise<void> {
    await this.cadences.complete(taskId);
  }
}
