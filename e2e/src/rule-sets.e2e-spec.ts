import { randomUUID } from 'node:crypto';
import { CustomerRescored, ScoringRulesActivated, Topics } from '@crm/contracts';
import { eventually } from '@crm/testing';
import { call } from './http';
import { eventsOnce, registerCompany } from './helpers';
import { e2eSession } from './session';

/**
 * Scoring rules changed while the platform runs: a rule set validated (400 naming the bad rule), proposed,
 * previewed (who would move, with the why), activated (a sweep re-scores everyone, scores and events carry
 * the version, a purchase after it is scored with it) and rolled back. Schemas of its own: it changes rules.
 */
const run = randomUUID().slice(0, 6);
const e2e = e2eSession('e2e-rule-sets', [Topics.scoring, Topics.ruleSets], {
  schemaPrefix: `rules_${run}`,
});
const tagging = () => e2e.platform.url('tagging');
const profile = () => e2e.platform.url('customer-profile');
const PROPOSED = `e2e-${run}`;

interface Scores {
  valueTier: string;
  rulesVersion: string;
  facts: { spend12m: number };
}

const scoresOf = async (id: string) =>
  (await call('GET', `${tagging()}/customers/${id}`, e2e.agent)).body as Scores;

const buy = async (customerId: string, amount: number) => {
  const response = await call('POST', `${profile()}/customers/${customerId}/purchases`, e2e.agent, {
    orderId: `RS-${randomUUID().slice(0, 8)}`,
    amount,
    currency: 'SEK',
    occurredAt: new Date().toISOString(),
    items: [{ sku: 'PUMP-100', category: 'pumps', quantity: 1, unitPrice: amount }],
  });
  if (response.status !== 201)
    throw new Error(`purchase: ${response.status} ${JSON.stringify(response.body)}`);
};

interface Rules {
  version: string;
  valueTiers: { tier: string; when: Record<string, number> }[];
  rfm: Record<string, number[]>;
}

/** The deployed rules, but "potential" takes 70,000 in twelve months instead of 50,000. */
const proposal = (deployed: Rules): Rules => ({
  ...deployed,
  version: PROPOSED,
  valueTiers: deployed.valueTiers.map((rule) =>
    rule.tier === 'potential' ? { ...rule, when: { ...rule.when, minSpend12m: 70_000 } } : rule,
  ),
});

describe('scoring rule sets', () => {
  it('are validated, proposed, previewed, activated with a re-score, and rolled back', async () => {
    // The deployment's rule file is the first active version, activated by the deployment.
    const active = await call('GET', `${tagging()}/rule-sets/active`, e2e.analyst);
    expect(active.status).toBe(200);
    expect(active.body).toMatchObject({ status: 'active', proposedBy: 'deployment' });
    const DEPLOYED = active.body.version as string;
    const proposed = proposal(active.body.rules as Rules);

    const first = await registerCompany(e2e, `RS-A-${run}`);
    await buy(first, 60_000);
    await eventually(
      'scored with the deployed rules',
      async () => (await scoresOf(first))?.facts?.spend12m === 60_000,
    );
    expect(await scoresOf(first)).toMatchObject({ valueTier: 'potential', rulesVersion: DEPLOYED });

    // Validation names the bad rule; nothing is stored.
    const bad = await call('POST', `${tagging()}/rule-sets/validate`, e2e.analyst, {
      ...proposed,
      valueTiers: [{ tier: 'potential', when: { minSpend12m: -1 } }],
      unknownRule: true,
    });
    expect(bad.status).toBe(400);
    const fields = (bad.body.fields as { field: string }[]).map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['valueTiers.0.when.minSpend12m', 'unknownRule']));
    const unordered = await call('POST', `${tagging()}/rule-sets/validate`, e2e.analyst, {
      ...proposed,
      rfm: { ...proposed.rfm, recencyDays: [365, 30, 91, 182] },
    });
    expect(unordered.status).toBe(400);
    expect(unordered.body.fields[0]).toMatchObject({ field: 'rfm.recencyDays' });
    const good = await call('POST', `${tagging()}/rule-sets/validate`, e2e.analyst, proposed);
    expect(good.body).toEqual({ valid: true, version: PROPOSED });

    // Proposing stores a version; versions never change. Only an admin proposes.
    expect((await call('POST', `${tagging()}/rule-sets`, e2e.analyst, proposed)).status).toBe(403);
    const stored = await call('POST', `${tagging()}/rule-sets`, e2e.admin, proposed);
    expect(stored.status).toBe(201);
    expect(stored.body).toMatchObject({ version: PROPOSED, status: 'proposed', created: true });
    expect((await call('POST', `${tagging()}/rule-sets`, e2e.admin, proposed)).body.created).toBe(false);
    const taken = await call('POST', `${tagging()}/rule-sets`, e2e.admin, {
      ...proposed,
      fallbackTier: 'stable',
    });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: 'RULE_SET_VERSION_TAKEN', field: 'version' });

    // The preview: the customer would move from potential to stable, and says why.
    const preview = await call('POST', `${tagging()}/rule-sets/${PROPOSED}/preview`, e2e.analyst);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      activeVersion: DEPLOYED,
      proposedVersion: PROPOSED,
      customers: 1,
      changed: 1,
    });
    expect(preview.body.dimensions.valueTier).toEqual({ changed: 1, moves: { 'potential → stable': 1 } });
    const [sample] = preview.body.sample as { customerId: string; why: string[] }[];
    expect(sample.customerId).toBe(first);
    expect(sample.why.join('\n')).toMatch(/valueTier potential → stable: .*valueTiers\[1\].*valueTiers\[2\]/);
    expect(await scoresOf(first)).toMatchObject({ valueTier: 'potential', rulesVersion: DEPLOYED });

    // Activation: a sweep re-scores everyone; scores and events carry the version.
    const activated = await call('POST', `${tagging()}/rule-sets/${PROPOSED}/activate`, e2e.admin, {
      reason: 'potential from 70,000',
    });
    expect(activated.status).toBe(200);
    expect(activated.body).toMatchObject({
      version: PROPOSED,
      previousVersion: DEPLOYED,
      action: 'activated',
    });
    expect(activated.body.sweepRunId).toEqual(expect.any(String));
    await eventually(
      're-scored with the new version',
      async () => (await scoresOf(first)).rulesVersion === PROPOSED,
    );
    expect((await scoresOf(first)).valueTier).toBe('stable');
    const again = await call('POST', `${tagging()}/rule-sets/${PROPOSED}/activate`, e2e.admin, {});
    expect(again.status).toBe(409);
    await eventually('the re-score announced with its version', async () =>
      eventsOnce(e2e, CustomerRescored.type, (b) => b.customerId === first).some(
        (b) => b.rulesVersion === PROPOSED && (b.current as { valueTier: string }).valueTier === 'stable',
      ),
    );
    await eventually(
      'the activation announced',
      async () => eventsOnce(e2e, ScoringRulesActivated.type, (b) => b.version === PROPOSED).length === 1,
    );

    // A purchase after the activation is scored with the active version.
    const second = await registerCompany(e2e, `RS-B-${run}`);
    await buy(second, 60_000);
    await eventually(
      'the new customer scored',
      async () => (await scoresOf(second))?.facts?.spend12m === 60_000,
    );
    expect(await scoresOf(second)).toMatchObject({ valueTier: 'stable', rulesVersion: PROPOSED });

    // Rollback: back to the deployed version, everyone re-scored; there is nothing before the first.
    const rolledBack = await call('POST', `${tagging()}/rule-sets/rollback`, e2e.admin, {
      reason: 'too strict',
    });
    expect(rolledBack.status).toBe(200);
    expect(rolledBack.body).toMatchObject({
      version: DEPLOYED,
      previousVersion: PROPOSED,
      action: 'rolled-back',
    });
    await eventually(
      'both re-scored with the deployed version',
      async () =>
        (await scoresOf(first)).rulesVersion === DEPLOYED &&
        (await scoresOf(second)).rulesVersion === DEPLOYED,
    );
    expect((await scoresOf(first)).valueTier).toBe('potential');
    expect((await scoresOf(second)).valueTier).toBe('potential');
    const nothing = await call('POST', `${tagging()}/rule-sets/rollback`, e2e.admin, {});
    expect(nothing.status).toBe(409);
    expect(nothing.body.code).toBe('RULE_SET_NO_EARLIER_VERSION');

    const history = await call('GET', `${tagging()}/rule-sets/history`, e2e.analyst);
    expect(
      (history.body as { action: string; version: string; actor: string }[]).map((c) => [
        c.action,
        c.version,
      ]),
    ).toEqual([
      ['rolled-back', DEPLOYED],
      ['activated', PROPOSED],
      ['activated', DEPLOYED],
    ]);
    const versions = await call('GET', `${tagging()}/rule-sets`, e2e.analyst);
    expect(
      Object.fromEntries(
        (versions.body as { version: string; status: string }[]).map((v) => [v.version, v.status]),
      ),
    ).toEqual({ [DEPLOYED]: 'active', [PROPOSED]: 'retired' });
  });
});
