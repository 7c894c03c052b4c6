import type { DynamicModule } from '@nestjs/common';
import { cipherFromConfig, PersonalTexts, personalTextKeysMigration } from '@crm/privacy';
import { serviceApplication } from '@crm/service-kit';
import { FeedbackConfig } from './feedback.config';
import { FeedbackTables1732500000400 } from './migrations/1732500000400-feedback-tables';
import { SlaCalendarsClockEscalation1732500000410 } from './migrations/1732500000410-sla-calendars-clock-escalation';
import { TicketCategory1732500000420 } from './migrations/1732500000420-ticket-category';
import { SurveyItems1732500000430 } from './migrations/1732500000430-survey-items';
import { SurveyComments1732500000440 } from './migrations/1732500000440-survey-comments';
import { TicketAssignments1732500000450 } from './migrations/1732500000450-ticket-assignments';
import { AssignmentRules1732500000460 } from './migrations/1732500000460-assignment-rules';
import { TeamsStaff1732500000470 } from './migrations/1732500000470-teams-staff';
import { TicketReopen1732500000480 } from './migrations/1732500000480-ticket-reopen';
import { ConfigVersions1732500000490 } from './migrations/1732500000490-config-versions';
import { AssignmentSkills1732500000495 } from './migrations/1732500000495-assignment-skills';
import { TeamsController } from './teams/teams.controller';
import { TeamsService } from './teams/teams.service';
import { AssignmentRules, AssignmentRulesController } from './tickets/assignment-rules';
import { CalendarsRepository } from './calendars/calendars.repository';
import { PoliciesController } from './policies/policies.controller';
import { SlaPoliciesRepository } from './policies/sla-policies.repository';
import { SlaPoliciesService } from './policies/sla-policies.service';
import { SlaReportController } from './reports/sla-report.controller';
import { SatisfactionReportService } from './reports/satisfaction-report';
import { SlaReportService } from './reports/sla-report.service';
import { FeedbackHandlers } from './surveys/feedback.handlers';
import { SurveyPolicy } from './surveys/survey-policy';
import { PublicSurveysController } from './surveys/public-surveys.controller';
import { SurveysController } from './surveys/surveys.controller';
import { SurveysService } from './surveys/surveys.service';
import { SlaGauges } from './tickets/sla.metrics';
import { SlaTimerWorker } from './tickets/sla-timer.worker';
import { TicketsController } from './tickets/tickets.controller';
import { SlaSchedule } from './tickets/sla-schedule';
import { TicketsRepository } from './tickets/tickets.repository';
import { TicketsService } from './tickets/tickets.service';

export function appModule(config: FeedbackConfig): DynamicModule {
  return serviceApplication('feedback-sla', config, FeedbackConfig, {
    migrations: [
      FeedbackTables1732500000400,
      SlaCalendarsClockEscalation1732500000410,
      TicketCategory1732500000420,
      SurveyItems1732500000430,
      SurveyComments1732500000440,
      personalTextKeysMigration(1732500000441),
      TicketAssignments1732500000450,
      AssignmentRules1732500000460,
      TeamsStaff1732500000470,
      TicketReopen1732500000480,
      ConfigVersions1732500000490,
      AssignmentSkills1732500000495,
    ],
    controllers: [
      TicketsController,
      AssignmentRulesController,
      PoliciesController,
      SurveysController,
      PublicSurveysController,
      SlaReportController,
      FeedbackHandlers,
      TeamsController,
    ],
    providers: [
      TicketsRepository,
      SlaPoliciesRepository,
      CalendarsRepository,
      SlaSchedule,
      SlaPoliciesService,
      TicketsService,
      AssignmentRules,
      SurveyPolicy,
      SurveysService,
      SlaReportService,
      SatisfactionReportService,
      SlaTimerWorker,
      SlaGauges,
      TeamsService,
      {
        provide: PersonalTexts,
        useFactory: (c: FeedbackConfig) => new PersonalTexts(cipherFromConfig(c)),
        inject: [FeedbackConfig],
      },
    ],
  });
}
