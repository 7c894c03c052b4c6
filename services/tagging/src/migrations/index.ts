import { TaggingTables1732500000200 } from './1732500000200-tagging-tables';
import { SatisfactionFacts1732500000210 } from './1732500000210-satisfaction-facts';
import { SweepsSegmentsPredictions1732500000220 } from './1732500000220-sweeps-segments-predictions';
import { SegmentStatus1732500000230 } from './1732500000230-segment-status';
import { CustomerState1732500000240 } from './1732500000240-customer-state';
import { MembershipPrivileges1732500000250 } from './1732500000250-membership-privileges';
import { InteractionFactsChurn1732500000260 } from './1732500000260-interaction-facts-churn';
import { CustomerNeeds1732500000270 } from './1732500000270-customer-needs';
import { KpiFactsGoals1732500000280 } from './1732500000280-kpi-facts-goals';
import { Refunds1732500000290 } from './1732500000290-refunds';
import { StateDirtyMarks1732500000296 } from './1732500000296-state-dirty-marks';
import { RuleSets1732500000295 } from './1732500000295-rule-sets';
import { NetPurchasesIndex1732500000297 } from './1732500000297-net-purchases-index';
import { RegisteredCustomersIndex1732500000298 } from './1732500000298-registered-customers-index';
import { CustomerReviews1732500000299 } from './1732500000299-customer-reviews';
import { SweepRunsEvaluated1732500000300 } from './1732500000300-sweep-runs-evaluated';

/** tagging's own migrations, in order (the service, the rescore benchmark and the tests run the same list). */
export const TAGGING_MIGRATIONS = [
  TaggingTables1732500000200,
  SatisfactionFacts1732500000210,
  SweepsSegmentsPredictions1732500000220,
  SegmentStatus1732500000230,
  CustomerState1732500000240,
  MembershipPrivileges1732500000250,
  InteractionFactsChurn1732500000260,
  CustomerNeeds1732500000270,
  KpiFactsGoals1732500000280,
  Refunds1732500000290,
  RuleSets1732500000295,
  StateDirtyMarks1732500000296,
  NetPurchasesIndex1732500000297,
  RegisteredCustomersIndex1732500000298,
  CustomerReviews1732500000299,
  SweepRunsEvaluated1732500000300,
];
