import type { CustomerClassificationV1 } from '@crm/contracts';
import { changedFields, daysSince, matches, type CustomerFacts } from './classify';
import type { RuleConditions, ScoringRuleSet } from './rule-set';

/** The classification dimensions a preview counts moves in. */
export const IMPACT_DIMENSIONS = [
  'valueTier',
  'valueLoyaltySegment',
  'lifecycleStage',
  'membershipLevel',
] as const;
export type ImpactDimension = (typeof IMPACT_DIMENSIONS)[number];

export interface DimensionImpact {
  /** Customers whose value in this dimension would change. */
  changed: number;
  /** Moves, e.g. `{ "potential → high-value": 12 }`, most frequent first. */
  moves: Record<string, number>;
}

export interface ImpactSample {
  customerId: string;
  changed: string[];
  active: CustomerClassificationV1;
  proposed: CustomerClassificationV1;
  /** The facts the rules read, and for each moved dimension which rule matched under each version. */
  why: string[];
}

export interface RuleImpact {
  activeVersion: string;
  proposedVersion: string;
  asOf: string;
  customers: number;
  /** Customers with any change (RFM and tags included). */
  changed: number;
  dimensions: Record<ImpactDimension, DimensionImpact>;
  rfmChanged: number;
  tagsChanged: number;
  sample: ImpactSample[];
}

const describeWhen = (when: RuleConditions) =>
  Object.entries(when)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key} ${String(value)}`)
    .join(', ') || 'always';

/** Which first-match rule decides a list-based dimension, in words: `valueTiers[1] (minSpend12m 20000)`. */
function decidingRule(
  list: { when: RuleConditions }[],
  name: string,
  facts: CustomerFacts,
  fallback: string,
): string {
  const index = list.findIndex((rule) => matches(rule.when, facts));
  return index === -1
    ? `no ${name} rule matches, ${fallback}`
    : `${name}[${index}] (${describeWhen(list[index].when)})`;
}

/** Why a customer moves between two rule sets, in sentences an analyst can check against the rules. */
export function explainMove(
  facts: CustomerFacts,
  active: { rules: ScoringRuleSet; result: CustomerClassificationV1 },
  proposed: { rules: ScoringRuleSet; result: CustomerClassificationV1 },
): string[] {
  const days = daysSince(facts.lastPurchaseAt, facts.asOf);
  const why = [
    `facts: spend12m ${facts.spend12m}, purchases12m ${facts.purchases12m}, lifetimePurchases ${facts.lifetimePurchases}, ` +
      `last purchase ${days === null ? 'never' : `${days} days ago`}`,
  ];
  const a = active.rules;
  const p = proposed.rules;
  if (active.result.valueTier !== proposed.result.valueTier)
    why.push(
      `valueTier ${active.result.valueTier} → ${proposed.result.valueTier}: ` +
        `${a.version} ${decidingRule(a.valueTiers, 'valueTiers', facts, `fallback ${a.fallbackTier}`)}; ` +
        `${p.version} ${decidingRule(p.valueTiers, 'valueTiers', facts, `fallback ${p.fallbackTier}`)}`,
    );
  if (active.result.membershipLevel !== proposed.result.membershipLevel)
    why.push(
      `membershipLevel ${active.result.membershipLevel} → ${proposed.result.membershipLevel}: ` +
        `${a.version} ${decidingRule(a.membership, 'membership', facts, `fallback ${a.fallbackMembership}`)}; ` +
        `${p.version} ${decidingRule(p.membership, 'membership', facts, `fallback ${p.fallbackMembership}`)}`,
    );
  if (active.result.valueLoyaltySegment !== proposed.result.valueLoyaltySegment)
    why.push(
      `valueLoyaltySegment ${active.result.valueLoyaltySegment} → ${proposed.result.valueLoyaltySegment}: ` +
        `high value from spend12m ${a.valueLoyalty.highValueMinSpend12m} (${a.version}) / ${p.valueLoyalty.highValueMinSpend12m} (${p.version}), ` +
        `high loyalty from purchases12m ${a.valueLoyalty.highLoyaltyMinPurchases12m} / ${p.valueLoyalty.highLoyaltyMinPurchases12m}`,
    );
  if (active.result.lifecycleStage !== proposed.result.lifecycleStage)
    why.push(
      `lifecycleStage ${active.result.lifecycleStage} → ${proposed.result.lifecycleStage}: ` +
        `decline after ${a.lifecycle.declineAfterMonths} / ${p.lifecycle.declineAfterMonths} months, ` +
        `churned after ${a.lifecycle.churnedAfterMonths} / ${p.lifecycle.churnedAfterMonths}, ` +
        `maturity from ${a.lifecycle.maturityMinPurchases} / ${p.lifecycle.maturityMinPurchases} purchases`,
    );
  return why;
}

/** Counts what a proposed rule set would change against the active one, customer by customer. */
export class ImpactTally {
  private customers = 0;
  private changed = 0;
  private rfmChanged = 0;
  private tagsChanged = 0;
  private readonly moves = new Map<ImpactDimension, Map<string, number>>(
    IMPACT_DIMENSIONS.map((d) => [d, new Map<string, number>()]),
  );
  private readonly sample: ImpactSample[] = [];

  constructor(
    private readonly active: ScoringRuleSet,
    private readonly proposed: ScoringRuleSet,
    private readonly sampleSize: number,
  ) {}

  add(
    customerId: string,
    facts: CustomerFacts,
    active: CustomerClassificationV1,
    proposed: CustomerClassificationV1,
  ): void {
    this.customers += 1;
    const changed = changedFields(active, proposed);
    if (changed.length === 0) return;
    this.changed += 1;
    if (changed.some((field) => field.startsWith('rfm.'))) this.rfmChanged += 1;
    if (changed.includes('tags')) this.tagsChanged += 1;
    for (const dimension of IMPACT_DIMENSIONS) {
      if (active[dimension] === proposed[dimension]) continue;
      const key = `${active[dimension]} → ${proposed[dimension]}`;
      const moves = this.moves.get(dimension)!;
      moves.set(key, (moves.get(key) ?? 0) + 1);
    }
    if (this.sample.length < this.sampleSize)
      this.sample.push({
        customerId,
        changed,
        active,
        proposed,
        why: explainMove(
          facts,
          { rules: this.active, result: active },
          { rules: this.proposed, result: proposed },
        ),
      });
  }

  result(asOf: Date): RuleImpact {
    const dimensions = Object.fromEntries(
      IMPACT_DIMENSIONS.map((d) => {
        const moves = [...this.moves.get(d)!.entries()].sort(
          (x, y) => y[1] - x[1] || x[0].localeCompare(y[0]),
        );
        return [d, { changed: moves.reduce((n, [, c]) => n + c, 0), moves: Object.fromEntries(moves) }];
      }),
    ) as Record<ImpactDimension, DimensionImpact>;
    return {
      activeVersion: this.active.version,
      proposedVersion: this.proposed.version,
      asOf: asOf.toISOString(),
      customers: this.customers,
      changed: this.changed,
      dimensions,
      rfmChanged: this.rfmChanged,
      tagsChanged: this.tagsChanged,
      sample: this.sample,
    };
  }
}
