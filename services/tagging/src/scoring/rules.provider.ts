import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import defaultRules from './default-rules.json';
import { parseRuleSet, type ScoringRuleSet } from './rule-set';

export const SCORING_RULES = Symbol('SCORING_RULES');

/** The default rules (docs/domain-rules.md), or a deployment's own rule file (TAGGING_RULES_FILE), validated at start. */
export function loadScoringRules(file?: string): ScoringRuleSet {
  if (!file) return parseRuleSet(defaultRules);
  const text = readFileSync(file.startsWith('/') ? file : join(process.cwd(), file), 'utf8');
  return parseRuleSet(JSON.parse(text));
}
