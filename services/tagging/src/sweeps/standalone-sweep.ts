import type { DataSource } from 'typeorm';
import { OutboxPublisher } from '@crm/messaging';
import { ServiceClock } from '@crm/persistence';
import { RescoringService } from '../customers/rescoring.service';
import { MembershipPrivileges } from '../membership/membership-privileges';
import { RuleBook } from '../scoring/rule-book';
import { loadScoringRules } from '../scoring/rules.provider';
import { SegmentCompiler } from '../segments/segment-compiler';
import { SegmentMembership } from '../segments/segment-membership';
import { SegmentsRepository } from '../segments/segments.repository';
import type { TaggingConfig } from '../tagging.config';
import { SweepService } from './sweep.service';

/** Where the hand-wired classes work: a schema of tagging's tables. */
export interface StandaloneOptions {
  dataSource: DataSource;
  schema: string;
  databaseUrl: string;
  segmentTimeoutMs: number;
}

/**
 * Re-scoring wired by hand, outside Nest, on a schema of tagging's tables: the same classes the service
 * injects, with the default rules and the service clock at real time.
 */
export function standaloneRescoring(options: StandaloneOptions): {
  rescoring: RescoringService;
  segments: SegmentsRepository;
  membership: SegmentMembership;
} {
  const { dataSource, schema, databaseUrl } = options;
  const rules = new RuleBook(dataSource, {} as TaggingConfig, loadScoringRules());
  const outbox = new OutboxPublisher({ serviceName: 'tagging', schema, brokers: '', databaseUrl });
  const segments = new SegmentsRepository(dataSource);
  const membership = new SegmentMembership(segments, new SegmentCompiler(rules), outbox, {
    TAGGING_SEGMENT_TIMEOUT_MS: options.segmentTimeoutMs,
  } as TaggingConfig);
  const rescoring = new RescoringService(
    rules,
    outbox,
    membership,
    new MembershipPrivileges(dataSource),
    new ServiceClock(dataSource, false),
  );
  return { rescoring, segments, membership };
}

/**
 * The sweep wired by hand the same way. For the rescore benchmark and the sweep's integration test, which
 * drive the sweep without starting the service.
 */
export function standaloneSweep(options: StandaloneOptions): SweepService {
  const { rescoring, segments, membership } = standaloneRescoring(options);
  return new SweepService(options.dataSource, rescoring, segments, membership);
}
