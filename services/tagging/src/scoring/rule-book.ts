import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { queryOne } from '@crm/persistence';
import { TaggingConfig } from '../tagging.config';
import { churnModel, type ChurnModel } from './churn-risk';
import { parseRuleSet, type ScoringRuleSet } from './rule-set';
import { SCORING_RULES } from './rules.provider';

/** A rule set ready to evaluate with: the rules and the churn model derived from them. */
export interface RuleEntry {
  rules: ScoringRuleSet;
  churn: ChurnModel;
}

export const ruleEntry = (rules: ScoringRuleSet): RuleEntry => ({ rules, churn: churnModel(rules) });

/**
 * The active scoring rule set, as this replica holds it. The database decides which version is active
 * (`rule_sets`); scoring transactions read the active version in the statement that locks the customer and
 * call `sync`, so a customer is never scored with a version older than one whose activation committed
 * before its transaction. Reads (a customer's view, KPIs, segment compilation) use the held version, which
 * a slow refresh (TAGGING_RULES_REFRESH_MS) keeps up with activations made on other replicas.
 */
@Injectable()
export class RuleBook implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RuleBook.name);
  private entry: RuleEntry;
  private readonly versions = new Map<string, RuleEntry>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: TaggingConfig,
    @Inject(SCORING_RULES) readonly deployed: ScoringRuleSet,
  ) {
    this.entry = ruleEntry(deployed);
  }

  get current(): RuleEntry {
    return this.entry;
  }

  get rules(): ScoringRuleSet {
    return this.entry.rules;
  }

  get version(): string {
    return this.entry.rules.version;
  }

  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.sync(this.dataSource.manager).catch((error: Error) =>
        this.logger.warn({ msg: 'could not refresh the active rule set', error: error.message }),
      );
    }, this.config.TAGGING_RULES_REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /**
   * Holds the version the database says is active (or `activeVersion`, when the caller has just read it)
   * and answers it; a no-op when it is already held.
   */
  async sync(manager: EntityManager, activeVersion?: string | null): Promise<RuleEntry> {
    if (activeVersion === this.entry.rules.version) return this.entry;
    const version =
      activeVersion ??
      (await queryOne<{ version: string }>(manager, `SELECT version FROM rule_sets WHERE status = 'active'`))
        ?.version;
    if (!version || version === this.entry.rules.version) return this.entry;
    const next = await this.load(manager, version);
    if (next) {
      this.logger.log({
        msg: 'scoring rule set now active here',
        version,
        previous: this.entry.rules.version,
      });
      this.entry = next;
    }
    return this.entry;
  }

  /** Any stored version, parsed once and kept (versions are immutable). */
  async load(manager: EntityManager, version: string): Promise<RuleEntry | undefined> {
    const known = this.versions.get(version);
    if (known) return known;
    const row = await queryOne<{ rules: unknown }>(
      manager,
      'SELECT rules FROM rule_sets WHERE version = $1',
      [version],
    );
    if (!row) return undefined;
    const entry = ruleEntry(parseRuleSet(row.rules));
    this.versions.set(version, entry);
    return entry;
  }
}
