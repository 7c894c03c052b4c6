import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ScoringRulesActivated } from '@crm/contracts';
import { OutboxPublisher } from '@crm/messaging';
import { execute, queryOne, queryRows, ServiceClock } from '@crm/persistence';
import { conflict, invalidFields, notFound } from '@crm/service-kit';
import { RescoringService } from '../customers/rescoring.service';
import { SweepService } from '../sweeps/sweep.service';
import { RuleBook, ruleEntry } from './rule-book';
import { ImpactTally, type RuleImpact } from './rule-impact';
import { classify } from './classify';
import { parseRuleSet, RuleSetError, type ScoringRuleSet } from './rule-set';

export enum RuleSetErrorCode {
  Invalid = 'RULE_SET_INVALID',
  VersionTaken = 'RULE_SET_VERSION_TAKEN',
  AlreadyActive = 'RULE_SET_ALREADY_ACTIVE',
  NothingToRollBackTo = 'RULE_SET_NO_EARLIER_VERSION',
}

export type RuleSetStatus = 'proposed' | 'active' | 'retired';

export interface RuleSetSummary {
  version: string;
  status: RuleSetStatus;
  note: string;
  proposedBy: string;
  proposedAt: string;
  activatedAt: string | null;
  activatedBy: string | null;
}

export interface RuleSetChange {
  action: 'activated' | 'rolled-back';
  version: string;
  previousVersion: string | null;
  actor: string;
  reason: string;
  sweepRunId: string | null;
  changedAt: string;
}

interface RuleSetRow {
  version: string;
  rules: unknown;
  status: RuleSetStatus;
  note: string;
  proposed_by: string;
  proposed_at: Date;
  activated_at: Date | null;
  activated_by: string | null;
}

const summary = (row: RuleSetRow): RuleSetSummary => ({
  version: row.version,
  status: row.status,
  note: row.note,
  proposedBy: row.proposed_by,
  proposedAt: row.proposed_at.toISOString(),
  activatedAt: row.activated_at?.toISOString() ?? null,
  activatedBy: row.activated_by,
});

/** One advisory lock orders every change of the active version, across replicas. */
const LOCK = `SELECT pg_advisory_xact_lock(hashtext('tagging.rule_sets'))`;
const PREVIEW_BATCH = 2000;

/** `valueTiers.0.when.minSpend12m: must not be less than 0` → field and message, for a 400 naming the rule. */
function ruleSetProblem(problem: string): { field: string; messages: string[] } {
  const at = problem.indexOf(': ');
  return at === -1
    ? { field: 'rules', messages: [problem] }
    : { field: problem.slice(0, at), messages: [problem.slice(at + 2)] };
}

/**
 * Scoring rule sets as versioned data: validate, propose, preview the impact, activate (a sweep re-scores
 * everyone; scores and events carry the version), roll back to the version before. Every change is audited
 * in `rule_set_changes` and announced as `scoring rules activated`. The deployment's rule file is a version
 * too: a version not seen before becomes active at start, a known one leaves the stored choice alone.
 */
@Injectable()
export class RuleSetsService implements OnModuleInit {
  private readonly logger = new Logger(RuleSetsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly book: RuleBook,
    private readonly rescoring: RescoringService,
    private readonly sweeps: SweepService,
    private readonly outbox: OutboxPublisher,
    private readonly clock: ServiceClock,
  ) {}

  async onModuleInit(): Promise<void> {
    const deployed = this.book.deployed;
    const sweepId = await this.dataSource.transaction(async (manager) => {
      await execute(manager, LOCK);
      const known = await queryOne<{ same: boolean }>(
        manager,
        'SELECT rules = $2::jsonb AS same FROM rule_sets WHERE version = $1',
        [deployed.version, JSON.stringify(deployed)],
      );
      if (known) {
        if (!known.same)
          this.logger.warn({
            msg: 'the rule file differs from the stored rule set of the same version; the stored one is kept (give the file a new version)',
            version: deployed.version,
          });
        return undefined;
      }
      await this.insert(manager, deployed, 'deployment', 'the rule file read at start');
      const active = await this.activeVersion(manager);
      // The very first rule set has nobody to re-score; a later file version does.
      return this.switchTo(
        manager,
        deployed.version,
        active,
        'activated',
        'deployment',
        'a new rule file version',
        !!active,
      );
    });
    await this.book.sync(this.dataSource.manager);
    if (sweepId) await this.startSweep(sweepId);
  }

  /** The rule set, validated; 400 naming each bad rule (e.g. `valueTiers.0.when.minSpend12m`). */
  validate(data: unknown): ScoringRuleSet {
    try {
      return parseRuleSet(data);
    } catch (error) {
      if (!(error instanceof RuleSetError)) throw error;
      throw invalidFields(error.problems.map(ruleSetProblem), RuleSetErrorCode.Invalid);
    }
  }

  /** Stores a proposed version; the same version with the same rules again is a no-op, with other rules 409. */
  async propose(data: unknown, actor: string, note = ''): Promise<RuleSetSummary & { created: boolean }> {
    const rules = this.validate(data);
    return this.dataSource.transaction(async (manager) => {
      await execute(manager, LOCK);
      const existing = await queryOne<RuleSetRow & { same: boolean }>(
        manager,
        'SELECT *, rules = $2::jsonb AS same FROM rule_sets WHERE version = $1',
        [rules.version, JSON.stringify(rules)],
      );
      if (existing && !existing.same)
        throw conflict(
          RuleSetErrorCode.VersionTaken,
          'version',
          `rule set ${rules.version} exists with other rules; versions never change, propose a new version`,
        );
      if (existing) return { ...summary(existing), created: false };
      return { ...summary(await this.insert(manager, rules, actor, note)), created: true };
    });
  }

  async list(): Promise<RuleSetSummary[]> {
    const rows = await queryRows<RuleSetRow>(
      this.dataSource,
      'SELECT * FROM rule_sets ORDER BY proposed_at DESC, version DESC',
    );
    return rows.map(summary);
  }

  async get(version: string): Promise<RuleSetSummary & { rules: ScoringRuleSet }> {
    const row = await queryOne<RuleSetRow>(this.dataSource, 'SELECT * FROM rule_sets WHERE version = $1', [
      version,
    ]);
    if (!row) throw notFound('rule set', version);
    return { ...summary(row), rules: row.rules as ScoringRuleSet };
  }

  async active(): Promise<RuleSetSummary & { rules: ScoringRuleSet }> {
    const version = await this.activeVersion(this.dataSource.manager);
    if (!version) throw notFound('rule set', 'active');
    return this.get(version);
  }

  async history(limit = 100): Promise<RuleSetChange[]> {
    const rows = await queryRows<{
      action: 'activated' | 'rolled-back';
      version: string;
      previous_version: string | null;
      actor: string;
      reason: string;
      sweep_run_id: string | null;
      changed_at: Date;
    }>(this.dataSource, 'SELECT * FROM rule_set_changes ORDER BY id DESC LIMIT $1', [limit]);
    return rows.map((r) => ({
      action: r.action,
      version: r.version,
      previousVersion: r.previous_version,
      actor: r.actor,
      reason: r.reason,
      sweepRunId: r.sweep_run_id,
      changedAt: r.changed_at.toISOString(),
    }));
  }

  /**
   * What a rule set (a stored version, or one given inline) would change against the active one, for every
   * registered customer at one as-of date: moves per dimension and a sample with the why. Reads only.
   */
  async preview(proposed: ScoringRuleSet, sampleSize: number, asOf?: Date): Promise<RuleImpact> {
    const when = asOf ?? (await this.clock.now());
    const active = await this.book.sync(this.dataSource.manager);
    const candidate = ruleEntry(proposed);
    const tally = new ImpactTally(active.rules, proposed, sampleSize);
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const ids = (
        await queryRows<{ customer_id: string }>(
          this.dataSource,
          `SELECT customer_id FROM customers WHERE registered AND customer_id > $1 ORDER BY customer_id LIMIT $2`,
          [after, PREVIEW_BATCH],
        )
      ).map((r) => r.customer_id);
      if (ids.length === 0) break;
      after = ids[ids.length - 1];
      // The facts once (with the proposed interaction window); both versions classify the same facts.
      const evaluations = await this.rescoring.evaluate(this.dataSource.manager, ids, when, candidate);
      for (const e of evaluations)
        tally.add(e.customerId, e.facts, classify(e.facts, active.rules), e.current);
      if (ids.length < PREVIEW_BATCH) break;
    }
    return tally.result(when);
  }

  async storedRules(version: string): Promise<ScoringRuleSet> {
    const entry = await this.book.load(this.dataSource.manager, version);
    if (!entry) throw notFound('rule set', version);
    return entry.rules;
  }

  /** Makes a stored version the active one; a sweep re-scores everyone with it. */
  async activate(version: string, actor: string, reason = ''): Promise<RuleSetChange> {
    return this.change(async (manager, active) => {
      const target = await queryOne<{ status: RuleSetStatus }>(
        manager,
        'SELECT status FROM rule_sets WHERE version = $1',
        [version],
      );
      if (!target) throw notFound('rule set', version);
      if (active === version)
        throw conflict(RuleSetErrorCode.AlreadyActive, 'version', `rule set ${version} is already active`);
      return { version, action: 'activated' as const, actor, reason };
    });
  }

  /** Back to the version that was active before the current one was activated (repeatable, like a stack). */
  async rollback(actor: string, reason = ''): Promise<RuleSetChange> {
    return this.change(async (manager, active) => {
      const before = await queryOne<{ previous_version: string | null }>(
        manager,
        `SELECT previous_version FROM rule_set_changes WHERE version = $1 AND action = 'activated' ORDER BY id DESC LIMIT 1`,
        [active],
      );
      if (!before?.previous_version)
        throw conflict(
          RuleSetErrorCode.NothingToRollBackTo,
          'version',
          `rule set ${active ?? '(none)'} was not activated over an earlier version; activate a version by name`,
        );
      return { version: before.previous_version, action: 'rolled-back' as const, actor, reason };
    });
  }

  private async change(
    decide: (
      manager: EntityManager,
      active: string | null,
    ) => Promise<{ version: string; action: 'activated' | 'rolled-back'; actor: string; reason: string }>,
  ): Promise<RuleSetChange> {
    const { sweepId, change } = await this.dataSource.transaction(async (manager) => {
      await execute(manager, LOCK);
      const active = await this.activeVersion(manager);
      const next = await decide(manager, active);
      const id = await this.switchTo(
        manager,
        next.version,
        active,
        next.action,
        next.actor,
        next.reason,
        true,
      );
      return {
        sweepId: id!,
        change: {
          ...next,
          previousVersion: active,
          sweepRunId: id ?? null,
          changedAt: new Date().toISOString(),
        },
      };
    });
    await this.book.sync(this.dataSource.manager, change.version);
    await this.startSweep(sweepId);
    this.logger.log({ msg: `scoring rules ${change.action}`, ...change });
    return change;
  }

  private async insert(manager: EntityManager, rules: ScoringRuleSet, actor: string, note: string) {
    const row = await queryOne<RuleSetRow>(
      manager,
      `INSERT INTO rule_sets (version, rules, proposed_by, note) VALUES ($1, $2::jsonb, $3, $4) RETURNING *`,
      [rules.version, JSON.stringify(rules), actor, note],
    );
    return row!;
  }

  private async activeVersion(manager: EntityManager): Promise<string | null> {
    const row = await queryOne<{ version: string }>(
      manager,
      `SELECT version FROM rule_sets WHERE status = 'active'`,
    );
    return row?.version ?? null;
  }

  /** Inside the caller's locked transaction: the switch, its audit row and its event; the sweep id to start. */
  private async switchTo(
    manager: EntityManager,
    version: string,
    previous: string | null,
    action: 'activated' | 'rolled-back',
    actor: string,
    reason: string,
    sweep: boolean,
  ): Promise<string | undefined> {
    const sweepRunId = sweep ? randomUUID() : undefined;
    await execute(manager, `UPDATE rule_sets SET status = 'retired' WHERE status = 'active'`);
    await execute(
      manager,
      `UPDATE rule_sets SET status = 'active', activated_at = now(), activated_by = $2 WHERE version = $1`,
      [version, actor],
    );
    await execute(
      manager,
      `INSERT INTO rule_set_changes (action, version, previous_version, actor, reason, sweep_run_id)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [action, version, previous, actor, reason, sweepRunId ?? null],
    );
    await this.outbox.publish(
      manager,
      ScoringRulesActivated,
      {
        ruleSet: 'scoring',
        version,
        previousVersion: previous ?? undefined,
        action,
        actor,
        reason: reason || undefined,
        sweepRunId,
        activatedAt: new Date().toISOString(),
      },
      { subject: 'scoring', correlationId: randomUUID() },
    );
    return sweepRunId;
  }

  private async startSweep(id: string): Promise<void> {
    await this.sweeps.start({
      id,
      trigger: 'rules',
      asOf: await this.clock.now(),
      correlationId: `rules-${id}`,
    });
  }
}
