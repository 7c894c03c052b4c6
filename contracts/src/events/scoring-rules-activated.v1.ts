import { IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { defineEvent } from '../envelope/event-definition';
import { Topics } from '../topics';
import { IsOneOf, IsTimestamp, TextLength } from './common';

const RULES_VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A scoring rule set became the active one; a sweep re-scores everyone with it. */
export class ScoringRulesActivatedV1 {
  /** The configuration versioned: `scoring` (the Kafka key). */
  @IsOneOf(['scoring'] as const) ruleSet: 'scoring';
  /** The version now active (`GET /tagging/rule-sets/:version`). */
  @IsString() @Matches(RULES_VERSION) version: string;
  /** The version it replaced; absent for the first one. */
  @IsOptional() @IsString() @Matches(RULES_VERSION) previousVersion?: string;
  /** `activated` (a new or chosen version, or a deployment's rule file) or `rolled-back` (to the one before). */
  @IsOneOf(['activated', 'rolled-back'] as const) action: 'activated' | 'rolled-back';
  /** Who did it: a user's subject, or `deployment` for a rule file read at start. */
  @IsString() @TextLength(1, 200) actor: string;
  @IsOptional() @IsString() @TextLength(0, 500) reason?: string;
  /** The sweep that applies it to every customer (`GET /tagging/sweeps/:id`). */
  @IsOptional() @IsUUID() sweepRunId?: string;
  @IsTimestamp() activatedAt: string;
}

export const ScoringRulesActivated = defineEvent({
  type: 'crm.scoring-rules.activated.v1',
  topic: Topics.ruleSets,
  description:
    'A scoring rule-set version became active (or was rolled back to); from now on scores and scoring events carry it.',
  payload: ScoringRulesActivatedV1,
  fixture: {
    ruleSet: 'scoring',
    version: '2025.01',
    previousVersion: '2024.06',
    action: 'activated',
    actor: 'admin-7',
    reason: 'high-value threshold raised to 60,000',
    sweepRunId: '3b8f0b1e-6a53-4d2e-9c3e-2f1f2c6f9a10',
    activatedAt: '2025-01-02T08:00:00.000Z',
  },
});
