import { GrowthCampaignTables1732500000600 } from './1732500000600-growth-campaign-tables';
import { ServiceRecoveryPlaybook1732500000610 } from './1732500000610-service-recovery-playbook';
import { CategoryExclusions1732500000620 } from './1732500000620-category-exclusions';
import { CareActionCancelled1732500000630 } from './1732500000630-care-action-cancelled';
import { CareDeliveryLeases1732500000640 } from './1732500000640-care-delivery-leases';
import { Journeys1732500000650 } from './1732500000650-journeys';
import { Cadences1732500000660 } from './1732500000660-cadences';
import { ContactBudget1732500000670 } from './1732500000670-contact-budget';
import { ContactDeadlines1732500000680 } from './1732500000680-contact-deadlines';
import { DateTriggers1732500000690 } from './1732500000690-date-triggers';
import { OrderDates1732500000695 } from './1732500000695-order-dates';
import { ServiceClock1732500000697 } from './1732500000697-service-clock';
import { PlaybooksAsJourneys1732500000698 } from './1732500000698-playbooks-as-journeys';
import { LevelWelcome1732500000699 } from './1732500000699-level-welcome';
import { StaffNotifications1732500000701 } from './1732500000701-staff-notifications';
import { JourneyChanges1732500000702 } from './1732500000702-journey-changes';
import { CareLeasesIndex1732500000703 } from './1732500000703-care-leases-index';

/** growth-campaigns' schema, in order. */
export const CAMPAIGN_MIGRATIONS = [
  GrowthCampaignTables1732500000600,
  ServiceRecoveryPlaybook1732500000610,
  CategoryExclusions1732500000620,
  CareActionCancelled1732500000630,
  CareDeliveryLeases1732500000640,
  Journeys1732500000650,
  Cadences1732500000660,
  ContactBudget1732500000670,
  ContactDeadlines1732500000680,
  DateTriggers1732500000690,
  OrderDates1732500000695,
  ServiceClock1732500000697,
  PlaybooksAsJourneys1732500000698,
  LevelWelcome1732500000699,
  StaffNotifications1732500000701,
  JourneyChanges1732500000702,
  CareLeasesIndex1732500000703,
];
