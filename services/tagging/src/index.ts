// The engine, for benchmarks that drive it directly (bench/rescore); services never import each other.
export { RescoringService } from './customers/rescoring.service';
export { SegmentCompiler } from './segments/segment-compiler';
export { SegmentMembership } from './segments/segment-membership';
export { SegmentsRepository } from './segments/segments.repository';
export { SweepService } from './sweeps/sweep.service';
export { loadScoringRules } from './scoring/rules.provider';
export { TaggingTables1732500000200 } from './migrations/1732500000200-tagging-tables';
export { SatisfactionFacts1732500000210 } from './migrations/1732500000210-satisfaction-facts';
export { SweepsSegmentsPredictions1732500000220 } from './migrations/1732500000220-sweeps-segments-predictions';
export { SegmentStatus1732500000230 } from './migrations/1732500000230-segment-status';
export { TaggingConfig } from './tagging.config';
