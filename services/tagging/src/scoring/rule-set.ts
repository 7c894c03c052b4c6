import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsInt,
  IsObject,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
  validateSync,
} from 'class-validator';
import {
  describeValidationErrors,
  MEMBERSHIP_LEVELS,
  VALUE_TIERS,
  type MembershipLevel,
  type ValueTier,
  IsOneOf,
} from '@crm/contracts';

/** One rule's conditions; every condition given must hold (AND). Absent conditions do not constrain. */
export class RuleConditions {
  @IsOptional() @IsNumber() @Min(0) minSpend12m?: number;
  @IsOptional() @IsNumber() @Min(0) maxSpend12m?: number;
  @IsOptional() @IsInt() @Min(0) minPurchases12m?: number;
  /** The last order is at most this many calendar months before the as-of date (inclusive). */
  @IsOptional() @IsInt() @Min(0) lastPurchaseWithinMonths?: number;
  @IsOptional() @IsInt() @Min(0) minRelationshipMonths?: number;
  @IsOptional() @IsInt() @Min(0) maxRelationshipMonths?: number;
}

export class ValueTierRule {
  @IsOneOf(VALUE_TIERS) tier: ValueTier;
  @ValidateNested() @Type(() => RuleConditions) when: RuleConditions;
}

export class MembershipRule {
  @IsOneOf(MEMBERSHIP_LEVELS) level: MembershipLevel;
  @ValidateNested() @Type(() => RuleConditions) when: RuleConditions;
}

/** Score 5 for the first threshold met, 4 for the second, ... and 1 when none is. */
export class RfmThresholds {
  /** Days since the last purchase, ascending: within 30 days → 5. */
  @IsArray() @ArrayMinSize(4) @IsInt({ each: true }) recencyDays: number[];
  /** Purchases in the last 12 months, descending: at least 12 → 5. */
  @IsArray() @ArrayMinSize(4) @IsInt({ each: true }) frequency: number[];
  /** Spend in the last 12 months, descending: at least 100,000 → 5. */
  @IsArray() @ArrayMinSize(4) @IsNumber({}, { each: true }) monetary: number[];
}

export class ValueLoyaltyRules {
  /** "High value": spend in the last 12 months at least this. */
  @IsNumber() @Min(0) highValueMinSpend12m: number;
  /** "High loyalty": purchases in the last 12 months at least this. */
  @IsInt() @Min(1) highLoyaltyMinPurchases12m: number;
}

export class LifecycleRules {
  /** No purchase for this many months: decline (the customer is silent). */
  @IsInt() @Min(1) declineAfterMonths: number;
  @IsInt() @Min(1) churnedAfterMonths: number;
  /** Repeat buyer: at least this many purchases in the relationship. */
  @IsInt() @Min(2) maturityMinPurchases: number;
  /** A repeat buyer this many of their own mean purchase intervals late declines (time alone does it). */
  @IsOptional() @IsNumber() @Min(1.5) declineAfterIntervals?: number;
  /** Mean intervals shorter than this (same-week bursts) say nothing about rhythm and are not used. */
  @IsInt() @Min(0) minIntervalDays: number;
}

export class PredictionRules {
  /** Expected purchase interval of a customer with fewer than two purchases. */
  @IsInt() @Min(1) newCustomerIntervalDays: number;
  /** Churn risk at or above this is announced (`churn risk changed`, level high); 0.6 when absent. */
  @IsOptional() @IsNumber() @Min(0.05) @Max(1) churnAlertAt?: number;
  /** The window in which falling interaction frequency is measured, against the one before it (90). */
  @IsOptional() @IsInt() @Min(7) @Max(730) interactionWindowDays?: number;
  /** Interactions the earlier window needs before a fall counts (3). */
  @IsOptional() @IsInt() @Min(1) @Max(1000) minInteractionsBefore?: number;
  /** How much a full stop of interactions adds to the risk (0.3). */
  @IsOptional() @IsNumber() @Min(0) @Max(1) interactionWeight?: number;
}

export class TagRules {
  @IsNumber() @Min(0) highOrderValue: number;
  @IsNumber() @Min(0) mediumOrderValue: number;
  @IsInt() @Min(1) activeWithinDays: number;
  @IsInt() @Min(1) churnRiskAfterDays: number;
  @IsInt() @Min(0) preferredCategories: number;
}

/** A rule-set version: 1-64 letters, digits, dots, dashes or underscores, e.g. `2024.06`. */
export const RULES_VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class ScoringRuleSet {
  @IsString()
  @Matches(RULES_VERSION, { message: 'version: 1-64 letters, digits, dots, dashes or underscores' })
  version: string;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => RfmThresholds) rfm: RfmThresholds;
  /** First match wins; `fallbackTier` when none matches. */
  @IsArray() @ValidateNested({ each: true }) @Type(() => ValueTierRule) valueTiers: ValueTierRule[];
  @IsOneOf(VALUE_TIERS) fallbackTier: ValueTier;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => ValueLoyaltyRules) valueLoyalty: ValueLoyaltyRules;
  /** First match wins; `fallbackMembership` when none matches. */
  @IsArray() @ValidateNested({ each: true }) @Type(() => MembershipRule) membership: MembershipRule[];
  @IsOneOf(MEMBERSHIP_LEVELS) fallbackMembership: MembershipLevel;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => LifecycleRules) lifecycle: LifecycleRules;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => TagRules) tags: TagRules;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => PredictionRules) prediction: PredictionRules;
}

export class RuleSetError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid scoring rule set: ${problems.join('; ')}`);
    this.name = 'RuleSetError';
  }
}

/** Validates rule data (e.g. from a JSON file) and names the bad rule, e.g. `valueTiers.0.when.minSpend12m`. */
export function parseRuleSet(data: unknown): ScoringRuleSet {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new RuleSetError(['rules: must be a JSON object (a rule set)']);
  const rules = plainToInstance(ScoringRuleSet, data);
  const errors = validateSync(rules, { whitelist: true, forbidNonWhitelisted: true });
  // A property with an empty name is reported against the rule set itself.
  if (errors.length > 0)
    throw new RuleSetError(
      describeValidationErrors(errors).map((p) => (p.startsWith(': ') ? `rules${p}` : p)),
    );
  const ascending = (xs: number[]) => xs.every((x, i) => i === 0 || x >= xs[i - 1]);
  const descending = (xs: number[]) => xs.every((x, i) => i === 0 || x <= xs[i - 1]);
  const problems: string[] = [];
  if (!ascending(rules.rfm.recencyDays)) problems.push('rfm.recencyDays: must be ascending');
  if (!descending(rules.rfm.frequency)) problems.push('rfm.frequency: must be descending');
  if (!descending(rules.rfm.monetary)) problems.push('rfm.monetary: must be descending');
  if (rules.lifecycle.churnedAfterMonths <= rules.lifecycle.declineAfterMonths)
    problems.push('lifecycle.churnedAfterMonths: must be greater than declineAfterMonths');
  if (problems.length > 0) throw new RuleSetError(problems);
  return rules;
}
