import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { causeFor, OutboxPublisher, type Cause, type Causes } from '@crm/messaging';
import { histogram } from '@crm/observability';
import { execute, queryRows, ServiceClock } from '@crm/persistence';
import { churnAlerting } from '../scoring/churn-risk';
import { changedFields, classify, monthsBefore, predict, type CustomerFacts } from '../scoring/classify';
import { RuleBook, type RuleEntry } from '../scoring/rule-book';
import { steadyUntil, type FactEdges } from '../scoring/steady';
import { MembershipPrivileges } from '../membership/membership-privileges';
import { SegmentMembership } from '../segments/segment-membership';
import { toClassification, type ClassificationColumns } from './customer-scores.repository';
import { churnEvent, churnMoved, rescoreEvents, stageHistory, type Evaluation } from './rescore-events';

export type { Evaluation } from './rescore-events';

/**
 * Written to `customer_scores`: what changed, and also a customer whose scores another rule-set version
 * produced (an activation re-stamps everyone, so every score names the version that produced it).
 */
export const written = (e: Evaluation) => e.changed.length > 0 || e.scoredBy !== e.rulesVersion;

/** A row of FACTS_SQL: the customer, its aggregates and its stored scores (absent before the first scoring). */
interface FactsRow extends Partial<ClassificationColumns> {
  customer_id: string;
  relationship_started_at: Date | null;
  manual_tags: string[] | null;
  spend_12m: number;
  purchases_12m: number;
  lifetime_purchases: number;
  last_purchase_at: Date | null;
  first_purchase_at: Date | null;
  category_spend: Record<string, number>;
  interactions_recent: number;
  interactions_before: number;
  churn_risk_high: boolean | null;
  need_types: string[];
  rules_version: string | null;
  oldest_in_12m: number | null;
  newest_before_12m: number | null;
  next_purchase_at: number | null;
  oldest_recent: number | null;
  oldest_before: number | null;
  next_interaction_at: number | null;
}

const rescoreSeconds = () =>
  histogram(
    'crm_tagging_rescore_seconds',
    'Re-scoring one customer on the event path (database time included)',
    ['path'],
    [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
  );

/**
 * A moment as milliseconds since the epoch (a float8, as a Date's time value): the steady range's edges are
 * only computed with, and parsing six more timestamps a row into Dates cost the first scoring of a million
 * customers seconds.
 */
const epochMs = (moment: string) => `floor(extract(epoch FROM ${moment}) * 1000)::float8`;

/**
 * Facts for customers at an as-of date, set-based: one statement for a set of customers (the event path
 * passes one id, the sweep a batch of consecutive ids, read as one index range). Previous scores come
 * along for the comparison. Category spend (preferred-category tags) counts every recorded purchase; it is
 * built as `json`, not `jsonb` (a batch's 5,000 objects took 46 ms as jsonb, 15 ms as json, the keys being
 * unique already).
 */
export const FACTS_SQL = `
  WITH batch AS (
    SELECT customer_id, relationship_started_at, manual_tags FROM customers WHERE customer_id = ANY($1::uuid[])
  ), agg AS (
    SELECT f.customer_id,
           coalesce(sum(f.amount) FILTER (WHERE f.occurred_at > $2 AND f.occurred_at <= $3), 0)::float8 AS spend_12m,
           count(*) FILTER (WHERE f.occurred_at > $2 AND f.occurred_at <= $3)::int AS purchases_12m,
           count(*) FILTER (WHERE f.occurred_at <= $3)::int AS lifetime_purchases,
           max(f.occurred_at) FILTER (WHERE f.occurred_at <= $3) AS last_purchase_at,
           min(f.occurred_at) FILTER (WHERE f.occurred_at <= $3) AS first_purchase_at,
           ${epochMs('min(f.occurred_at) FILTER (WHERE f.occurred_at > $2 AND f.occurred_at <= $3)')} AS oldest_in_12m,
           ${epochMs('max(f.occurred_at) FILTER (WHERE f.occurred_at <= $2)')} AS newest_before_12m,
           ${epochMs('min(f.occurred_at) FILTER (WHERE f.occurred_at > $3)')} AS next_purchase_at
      FROM net_purchases f
     WHERE f.customer_id BETWEEN $4 AND $5 AND f.customer_id = ANY($1::uuid[])
     GROUP BY f.customer_id
  ), inter AS (
    SELECT i.customer_id,
           count(*) FILTER (WHERE i.occurred_at <= $3 AND i.occurred_at > $3::timestamptz - make_interval(days => $6))::int AS recent,
           count(*) FILTER (WHERE i.occurred_at <= $3::timestamptz - make_interval(days => $6))::int AS before,
           ${epochMs('min(i.occurred_at) FILTER (WHERE i.occurred_at <= $3 AND i.occurred_at > $3::timestamptz - make_interval(days => $6))')} AS oldest_recent,
           ${epochMs('min(i.occurred_at) FILTER (WHERE i.occurred_at <= $3::timestamptz - make_interval(days => $6))')} AS oldest_before,
           ${epochMs('min(i.occurred_at) FILTER (WHERE i.occurred_at > $3)')} AS next_interaction_at
      FROM interaction_facts i
     WHERE i.customer_id BETWEEN $4 AND $5 AND i.customer_id = ANY($1::uuid[])
       AND i.occurred_at > $3::timestamptz - 2 * make_interval(days => $6)
     GROUP BY i.customer_id
  ), needs AS (
    SELECT customer_id, array_agg(DISTINCT type ORDER BY type) AS types FROM customer_needs
     WHERE customer_id BETWEEN $4 AND $5 AND customer_id = ANY($1::uuid[]) AND status IN ('open', 'in-progress')
     GROUP BY customer_id
  ), cats AS (
    SELECT customer_id, json_object_agg(category, spend::float8) AS category_spend FROM customer_category_spend
     WHERE customer_id BETWEEN $4 AND $5 AND customer_id = ANY($1::uuid[])
     GROUP BY customer_id
  )
  SELECT b.customer_id, b.relationship_started_at, b.manual_tags,
         coalesce(a.spend_12m, 0) AS spend_12m, coalesce(a.purchases_12m, 0) AS purchases_12m,
         coalesce(a.lifetime_purchases, 0) AS lifetime_purchases, a.last_purchase_at, a.first_purchase_at,
         coalesce(c.category_spend, '{}'::json) AS category_spend,
         coalesce(i.recent, 0) AS interactions_recent, coalesce(i.before, 0) AS interactions_before, s.churn_risk_high,
         coalesce(n.types, '{}') AS need_types, s.rules_version,
         a.oldest_in_12m, a.newest_before_12m, a.next_purchase_at,
         i.oldest_recent, i.oldest_before, i.next_interaction_at,
         s.recency, s.frequency, s.monetary, s.value_tier, s.value_loyalty_segment, s.membership_level,
         s.lifecycle_stage, s.tags
    FROM batch b LEFT JOIN agg a ON a.customer_id = b.customer_id
         LEFT JOIN cats c ON c.customer_id = b.customer_id
         LEFT JOIN inter i ON i.customer_id = b.customer_id
         LEFT JOIN needs n ON n.customer_id = b.customer_id
         LEFT JOIN customer_scores s ON s.customer_id = b.customer_id
   ORDER BY b.customer_id`;

/**
 * Re-evaluates customers and writes only what changed, emitting `customer rescored`, `lifecycle stage
 * changed` and `segment changed` (exited, entered) with their cause. The event path evaluates one
 * customer; the sweep a batch of thousands, through the same statements.
 */
@Injectable()
export class RescoringService {
  constructor(
    readonly book: RuleBook,
    private readonly outbox: OutboxPublisher,
    private readonly membership: SegmentMembership,
    private readonly privileges: MembershipPrivileges,
    private readonly clock: ServiceClock,
  ) {}

  /**
   * Evaluates the given customers (whose rows the caller has locked) at the as-of date, with the active
   * rule set or the one given (a preview).
   */
  async evaluate(
    manager: EntityManager,
    customerIds: string[],
    asOf: Date,
    entry: RuleEntry = this.book.current,
  ): Promise<Evaluation[]> {
    if (customerIds.length === 0) return [];
    const { rules, churn } = entry;
    const sorted = [...customerIds].sort();
    const rows = await queryRows<FactsRow>(manager, FACTS_SQL, [
      customerIds,
      monthsBefore(asOf, 12),
      asOf,
      sorted[0],
      sorted[sorted.length - 1],
      churn.interactionWindowDays,
    ]);
    return rows.map((row) => {
      const facts: CustomerFacts = {
        asOf,
        relationshipStartedAt: row.relationship_started_at ?? null,
        spend12m: row.spend_12m,
        purchases12m: row.purchases_12m,
        lifetimePurchases: row.lifetime_purchases,
        lastPurchaseAt: row.last_purchase_at ?? null,
        firstPurchaseAt: row.first_purchase_at ?? null,
        categorySpend: row.category_spend,
        manualTags: row.manual_tags ?? [],
        interactionsRecent: row.interactions_recent,
        interactionsBefore: row.interactions_before,
        needTypes: row.need_types,
      };
      const current = classify(facts, rules);
      const previous = row.value_tier ? toClassification(row as ClassificationColumns) : undefined;
      const prediction = predict(facts, rules);
      const wasHigh = row.churn_risk_high ?? false;
      const high = churnAlerting(prediction.churnRisk, wasHigh, churn);
      const edges: FactEdges = {
        oldestIn12m: row.oldest_in_12m ?? null,
        newestBefore12m: row.newest_before_12m ?? null,
        nextPurchaseAt: row.next_purchase_at ?? null,
        oldestRecentInteraction: row.oldest_recent ?? null,
        oldestEarlierInteraction: row.oldest_before ?? null,
        nextInteractionAt: row.next_interaction_at ?? null,
      };
      return {
        customerId: row.customer_id,
        facts,
        current,
        previous,
        changed: changedFields(previous, current),
        rulesVersion: rules.version,
        scoredBy: row.rules_version ?? null,
        churn: {
          prediction,
          wasHigh,
          high,
          threshold: churn.alertAt,
        },
        edges,
        steadyUntil: steadyUntil(facts, rules, churn, high, edges),
      };
    });
  }

  /** The event path: one customer, inside the handler's transaction; its segments follow. */
  async rescore(manager: EntityManager, customerId: string, cause: Cause, asOf?: Date): Promise<string[]> {
    const [evaluation] = await this.rescoreEach(manager, new Map([[customerId, cause]]), asOf);
    return evaluation?.changed ?? [];
  }

  /**
   * The event path for several customers at once (a run of events, one per customer): each re-scored as
   * `rescore` would, with its own cause, in a handful of statements for all of them. Keys are customer ids;
   * answers the evaluations of the registered ones.
   */
  async rescoreEach(
    manager: EntityManager,
    causes: ReadonlyMap<string, Cause>,
    asOf?: Date,
  ): Promise<Evaluation[]> {
    if (causes.size === 0) return [];
    const stop = rescoreSeconds().startTimer({ path: 'event' });
    try {
      // The service clock: in tests that move it, the event path and the sweep see the same day.
      return await this.rescoreSet(manager, causes, asOf ?? (await this.clock.now(manager)));
    } finally {
      stop();
    }
  }

  private async rescoreSet(
    manager: EntityManager,
    causes: ReadonlyMap<string, Cause>,
    asOf: Date,
  ): Promise<Evaluation[]> {
    // Locked in id order, so two runs that share customers wait for each other rather than deadlock. The
    // active rule set comes with the lock: an activation that committed before this statement is seen.
    const customers = await queryRows<{
      customer_id: string;
      registered: boolean;
      active_rules: string | null;
    }>(
      manager,
      `SELECT customer_id, registered, (SELECT version FROM rule_sets WHERE status = 'active') AS active_rules
         FROM customers WHERE customer_id = ANY($1::uuid[]) ORDER BY customer_id FOR UPDATE`,
      [[...causes.keys()]],
    );
    // A purchase that overtook its registration (another topic) is kept as a fact; scoring waits for the
    // registration, so the first classification knows the relationship and the stage history starts right.
    const registered = customers.filter((c) => c.registered).map((c) => c.customer_id);
    if (registered.length === 0) return [];
    // The database spells ids in lower case, the events as they came: the causes are keyed the database's way.
    const byId = new Map([...causes].map(([id, cause]) => [id.toLowerCase(), cause]));
    const own = new Map(registered.map((id) => [id, byId.get(id)!]));
    const entry = await this.book.sync(manager, customers[0].active_rules);
    const evaluations = await this.evaluate(manager, registered, asOf, entry);
    await this.apply(manager, evaluations, own, asOf);
    await this.applyChurn(manager, evaluations, own);
    const unwritten = evaluations.filter((e) => !written(e));
    if (unwritten.length > 0)
      await execute(
        manager,
        `UPDATE customer_scores s SET spend_12m = r.s12, purchases_12m = r.p12, lifetime_purchases = r.lp,
                last_purchase_at = r.lpa, first_purchase_at = r.fpa
           FROM unnest($1::uuid[], $2::float8[], $3::int[], $4::int[], $5::timestamptz[], $6::timestamptz[])
             AS r(id, s12, p12, lp, lpa, fpa)
          WHERE s.customer_id = r.id`,
        [
          unwritten.map((e) => e.customerId),
          unwritten.map((e) => e.facts.spend12m),
          unwritten.map((e) => e.facts.purchases12m),
          unwritten.map((e) => e.facts.lifetimePurchases),
          unwritten.map((e) => e.facts.lastPurchaseAt),
          unwritten.map((e) => e.facts.firstPurchaseAt),
        ],
      );
    await this.keepSteady(manager, evaluations);
    await this.membership.evaluateCustomers(manager, registered, asOf, own);
    return evaluations;
  }

  /**
   * Remembers until when each evaluation stays as it is without a new fact, for the customers (locked by the
   * caller) it was made for: a sweep at an as-of date in that range leaves them alone.
   */
  async keepSteady(manager: EntityManager, evaluations: Evaluation[]): Promise<void> {
    if (evaluations.length === 0) return;
    await execute(
      manager,
      // Moments travel as milliseconds: node-pg formats each Date of an array in JavaScript (a second of the
      // first scoring of a million customers per column).
      `INSERT INTO customer_reviews (customer_id, rules_version, steady_from, steady_until)
       SELECT id, rv, to_timestamp(sf / 1000.0), to_timestamp(su / 1000.0)
         FROM unnest($1::uuid[], $2::text[], $3::float8[], $4::float8[]) AS r(id, rv, sf, su)
       ON CONFLICT (customer_id) DO UPDATE SET rules_version = EXCLUDED.rules_version,
         steady_from = EXCLUDED.steady_from, steady_until = EXCLUDED.steady_until`,
      [
        evaluations.map((e) => e.customerId),
        evaluations.map((e) => e.rulesVersion),
        evaluations.map((e) => e.facts.asOf.getTime()),
        evaluations.map((e) => e.steadyUntil?.getTime() ?? null),
      ],
    );
  }

  /**
   * Announces churn risk crossing the alert threshold (`churn risk changed`: high, or back to normal) and
   * remembers it, for the evaluations whose alert state moved; the others write nothing.
   */
  async applyChurn(manager: EntityManager, evaluations: Evaluation[], causes: Causes): Promise<number> {
    const moved = evaluations.filter(churnMoved);
    if (moved.length === 0) return 0;
    await execute(
      manager,
      `UPDATE customer_scores s SET churn_risk_high = rows.high, churn_risk = rows.risk
         FROM unnest($1::uuid[], $2::boolean[], $3::float8[]) AS rows(id, high, risk) WHERE s.customer_id = rows.id`,
      [
        moved.map((e) => e.customerId),
        moved.map((e) => e.churn.high),
        moved.map((e) => e.churn.prediction.churnRisk),
      ],
    );
    const now = new Date().toISOString();
    await this.outbox.publishMany(
      manager,
      moved.map((e) => churnEvent(e, causeFor(causes, e.customerId), now)),
      { subjectsLockedByCaller: true },
    );
    return moved.length;
  }

  /** Writes the changed evaluations set-based and queues their events; unchanged ones write nothing. */
  async apply(
    manager: EntityManager,
    evaluations: Evaluation[],
    causes: Causes,
    asOf: Date,
    validation: 'all' | 'sample' = 'all',
  ): Promise<number> {
    const rows = evaluations.filter(written);
    if (rows.length === 0) return 0;
    const col = <T>(pick: (e: Evaluation) => T) => rows.map(pick);
    const causeOfRow = (e: Evaluation) => causeFor(causes, e.customerId);
    await execute(
      manager,
      `INSERT INTO customer_scores (customer_id, recency, frequency, monetary, value_tier, value_loyalty_segment, membership_level,
                                    lifecycle_stage, tags, spend_12m, purchases_12m, lifetime_purchases, last_purchase_at,
                                    first_purchase_at, rules_version, scored_at, caused_by_event_id, sweep_run_id)
       SELECT id, r, f, m, vt, vl, ml, ls, ARRAY(SELECT jsonb_array_elements_text(tg::jsonb)), s12, p12, lp, lpa, fpa,
              rv, $15::timestamptz, ce, sr
         FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                     $10::float8[], $11::int[], $12::int[], $13::timestamptz[], $14::timestamptz[], $18::text[],
                     $16::text[], $17::text[])
           AS rows(id, r, f, m, vt, vl, ml, ls, tg, s12, p12, lp, lpa, fpa, rv, ce, sr)
       ON CONFLICT (customer_id) DO UPDATE SET recency = EXCLUDED.recency, frequency = EXCLUDED.frequency,
         monetary = EXCLUDED.monetary, value_tier = EXCLUDED.value_tier, value_loyalty_segment = EXCLUDED.value_loyalty_segment,
         membership_level = EXCLUDED.membership_level, lifecycle_stage = EXCLUDED.lifecycle_stage, tags = EXCLUDED.tags,
         spend_12m = EXCLUDED.spend_12m, purchases_12m = EXCLUDED.purchases_12m, lifetime_purchases = EXCLUDED.lifetime_purchases,
         last_purchase_at = EXCLUDED.last_purchase_at, first_purchase_at = EXCLUDED.first_purchase_at,
         rules_version = EXCLUDED.rules_version, scored_at = EXCLUDED.scored_at,
         caused_by_event_id = EXCLUDED.caused_by_event_id, sweep_run_id = EXCLUDED.sweep_run_id`,
      [
        col((e) => e.customerId),
        col((e) => e.current.rfm.recency),
        col((e) => e.current.rfm.frequency),
        col((e) => e.current.rfm.monetary),
        col((e) => e.current.valueTier),
        col((e) => e.current.valueLoyaltySegment),
        col((e) => e.current.membershipLevel),
        col((e) => e.current.lifecycleStage),
        col((e) => JSON.stringify(e.current.tags)),
        col((e) => e.facts.spend12m),
        col((e) => e.facts.purchases12m),
        col((e) => e.facts.lifetimePurchases),
        col((e) => e.facts.lastPurchaseAt),
        col((e) => e.facts.firstPurchaseAt ?? null),
        asOf,
        col((e) => causeOfRow(e).eventId ?? null),
        col((e) => causeOfRow(e).runId ?? null),
        col((e) => e.rulesVersion),
      ],
    );
    const changed = rows.filter((e) => e.changed.length > 0);
    if (changed.length === 0) return 0;
    const now = new Date().toISOString();
    const moves = stageHistory(changed);
    if (moves.length > 0)
      await execute(
        manager,
        `INSERT INTO stage_history (customer_id, previous_stage, stage, reactivated, caused_by_event_id, sweep_run_id, changed_at)
         SELECT id, prev, stage, re, ce, sr, $7
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::boolean[], $5::text[], $6::text[])
                WITH ORDINALITY AS rows(id, prev, stage, re, ce, sr, n)
          ORDER BY n`,
        [
          moves.map((m) => m.customerId),
          moves.map((m) => m.from),
          moves.map((m) => m.to),
          moves.map((m) => m.reactivated),
          moves.map((m) => causeFor(causes, m.customerId).eventId ?? null),
          moves.map((m) => causeFor(causes, m.customerId).runId ?? null),
          now,
        ],
      );
    const levelMoved = changed.some(
      (e) => e.previous && e.previous.membershipLevel !== e.current.membershipLevel,
    );
    const events = rescoreEvents(
      changed,
      causes,
      now,
      levelMoved ? await this.privileges.byLevel(manager) : {},
    );
    await this.outbox.publishMany(manager, events, { subjectsLockedByCaller: true, validation });
    return changed.length;
  }
}
