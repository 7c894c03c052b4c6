import { MembershipController } from './membership/membership.controller';
import { MembershipPrivileges } from './membership/membership-privileges';
import type { DynamicModule } from '@nestjs/common';
import { serviceApplication } from '@crm/service-kit';
import { TAGGING_MIGRATIONS } from './migrations';
import { CustomerScoresRepository } from './customers/customer-scores.repository';
import { RescoringService } from './customers/rescoring.service';
import { ScoresService } from './customers/scores.service';
import { ScoresController } from './customers/scores.controller';
import { TaggingHandlers } from './customers/tagging.handlers';
import { loadScoringRules, SCORING_RULES } from './scoring/rules.provider';
import { RuleBook } from './scoring/rule-book';
import { RuleSetsController } from './scoring/rule-sets.controller';
import { RuleSetsService } from './scoring/rule-sets.service';
import { TaggingConfig } from './tagging.config';
import { InsightsController } from './insights/insights.controller';
import { InsightsService } from './insights/insights.service';
import { ExclusionsService } from './preferences/exclusions.service';
import { SegmentsController } from './segments/segments.controller';
import { SegmentCompiler } from './segments/segment-compiler';
import { SegmentMembership } from './segments/segment-membership';
import { SegmentsRepository } from './segments/segments.repository';
import { SegmentsService } from './segments/segments.service';
import { SweepScheduler } from './sweeps/sweep.scheduler';
import { SweepService } from './sweeps/sweep.service';
import { SweepsController } from './sweeps/sweeps.controller';
import { CustomerStatePublisher } from './state/customer-state.publisher';
import { JourneyMapService } from './kpis/journey-map';
import { KpisController } from './kpis/kpis.controller';
import { KpisService } from './kpis/kpis.service';

export function appModule(config: TaggingConfig): DynamicModule {
  return serviceApplication('tagging', config, TaggingConfig, {
    migrations: TAGGING_MIGRATIONS,
    controllers: [
      ScoresController,
      SegmentsController,
      SweepsController,
      InsightsController,
      TaggingHandlers,
      MembershipController,
      KpisController,
      RuleSetsController,
    ],
    providers: [
      CustomerScoresRepository,
      SegmentsRepository,
      SegmentCompiler,
      SegmentMembership,
      RescoringService,
      MembershipPrivileges,
      ScoresService,
      SegmentsService,
      ExclusionsService,
      InsightsService,
      SweepService,
      SweepScheduler,
      CustomerStatePublisher,
      KpisService,
      JourneyMapService,
      RuleBook,
      RuleSetsService,
      { provide: SCORING_RULES, useFactory: () => loadScoringRules(config.TAGGING_RULES_FILE) },
    ],
  });
}
