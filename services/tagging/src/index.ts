// The engine, for benchmarks that drive it directly (bench/rescore); services never import each other.
export { RescoringService } from './customers/rescoring.service';
export { MembershipPrivileges } from './membership/membership-privileges';
export { SegmentCompiler } from './segments/segment-compiler';
export { SegmentMembership } from './segments/segment-membership';
export { SegmentsRepository } from './segments/segments.repository';
export { SweepService } from './sweeps/sweep.service';
export { standaloneSweep } from './sweeps/standalone-sweep';
export { loadScoringRules } from './scoring/rules.provider';
export { RuleBook } from './scoring/rule-book';
export { TaggingConfig } from './tagging.config';
export { TAGGING_MIGRATIONS } from './migrations';
