import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Topics } from '@crm/contracts';
import {
  chromiumExecutable,
  eventually,
  startConsole,
  startOidcProvider,
  type RunningConsole,
} from '@crm/testing';
import { call, daysAgo } from './http';
import { e2eSession } from './session';

/** The README's screenshots: written by this test, so they show what the console really looks like. */
const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'console');
const EMAIL = 'wang.lei@example.com';

/**
 * The console in a real headless Chromium against the running platform: sign in, find C2024001, watch it
 * become high-value after a purchase without a reload, open a complaint and watch its SLA warning and breach
 * arrive on the board, resolve it; an analyst sees masked data, an agent's reveal is audited; axe-core finds
 * no serious or critical accessibility problem on any page; English and Chinese.
 */
describe('the console, in a browser', () => {
  const run = Date.now().toString(36);
  const e2e = e2eSession('console', [Topics.feedback], { schemaPrefix: `console_${run}` });
  let consoleApp: RunningConsole;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const profile = () => e2e.platform.url('customer-profile');
  const feedback = () => e2e.platform.url('feedback-sla');
  let customerId = '';

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    consoleApp = await startConsole(100);
    browser = await chromium.launch({ executablePath: chromiumExecutable(), args: ['--no-sandbox'] });
    const registered = await call('POST', `${profile()}/customers`, e2e.agent, {
      externalRef: 'C2024001',
      kind: 'company',
      name: 'Wang Lei Pumps',
      email: EMAIL,
      industry: 'manufacturing',
      owner: 'agent-7',
      relationshipStartedAt: daysAgo(800),
      registeredAt: daysAgo(800),
    });
    expect(registered.status).toBe(201);
    customerId = registered.body.id as string;
  }, 180_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await consoleApp?.stop();
  });

  async function signedIn(role: 'agent' | 'analyst', subject: string, locale = 'en-US'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 960 }, locale });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(consoleApp.url);
    await expectAccessible(page, 'sign-in');
    await page.getByLabel(locale.startsWith('zh') ? '角色' : 'Role').click();
    await page.locator(`.ant-select-item-option[title="${role}"]`).click();
    await page.getByLabel(locale.startsWith('zh') ? '员工编号' : 'Your staff id').fill(subject);
    await page.getByRole('button', { name: locale.startsWith('zh') ? '登 录' : 'Sign in' }).click();
    await page
      .getByTestId('live-state')
      .filter({ hasText: /Live|实时/ })
      .waitFor({ timeout: 30_000 });
    return page;
  }

  /** axe-core on the page as it is now: no serious or critical violation. */
  async function expectAccessible(page: Page, name: string): Promise<void> {
    const result = await new AxeBuilder({ page }).analyze();
    const bad = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${name}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(bad).toEqual([]);
  }

  const shoot = (page: Page, file: string) =>
    page.screenshot({ path: join(SCREENSHOTS, file), fullPage: true });

  it('finds C2024001 and shows it becoming high-value after a purchase, without a reload', async () => {
    const page = await signedIn('agent', 'agent-7');
    await expectAccessible(page, 'overview');
    await page.getByRole('menuitem', { name: 'Customers' }).click();
    await page.getByLabel('Find customers').fill('C2024001');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(`**/console/customers/${customerId}`);
    await expect(page.getByTestId('customer-name').textContent()).resolves.not.toContain('Wang Lei');
    await page.evaluate('window.notReloaded = true');
    // Wait until the registration has been scored, so the change below is the purchase's doing.
    await eventually(
      'C2024001 scored',
      async () =>
        (await call('GET', `${e2e.platform.url('tagging')}/customers/${customerId}`, e2e.agent)).status ===
        200,
    );
    expect(await page.getByTestId('value-tier').textContent({ timeout: 20_000 })).not.toBe('high-value');

    const purchase = await call('POST', `${profile()}/customers/${customerId}/purchases`, e2e.agent, {
      orderId: `SO-${run}`,
      amount: 120000,
      currency: 'EUR',
      occurredAt: daysAgo(1),
      items: [{ sku: 'PUMP-200', category: 'pumps', quantity: 4, unitPrice: 30000 }],
    });
    expect(purchase.status).toBe(201);
    await page.getByTestId('value-tier').filter({ hasText: 'high-value' }).waitFor({ timeout: 30_000 });
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    await expect(page.getByTestId('score-why').textContent()).resolves.toContain('120,000');
    await expectAccessible(page, 'customer 360');
    await shoot(page, 'customer-360.png');
  }, 180_000);

  it('shows a complaint’s warning and breach arriving on the SLA board, and resolves it there', async () => {
    const policy = await call('PUT', `${feedback()}/sla-policies/console-${run}`, e2e.admin, {
      id: `console-${run}`,
      position: 0,
      ticketType: 'complaint',
      firstResponseSeconds: 4,
      resolutionSeconds: 8,
    });
    expect(policy.status).toBe(200);
    const board = await signedIn('agent', 'agent-7');
    await board.getByRole('menuitem', { name: 'SLA board' }).click();
    await board.getByRole('heading', { name: 'SLA board' }).waitFor();

    const page = await signedIn('agent', 'agent-7');
    await page.goto(`${consoleApp.url}customers/${customerId}`);
    await page.getByLabel('Subject').fill('the pump leaks');
    await page.getByRole('button', { name: 'Open a ticket' }).click();
    await page.getByText('Ticket opened').waitFor();

    const row = board.locator('tr[data-ticket]').filter({ hasText: 'complaint' });
    await row.waitFor({ timeout: 20_000 });
    const ticketId = (await row.getAttribute('data-ticket'))!;
    await row.getByTestId('sla-state').filter({ hasText: 'Warning' }).waitFor({ timeout: 20_000 });
    await board.getByTestId('sla-feed').getByText('Warning').first().waitFor();
    await row.getByTestId('sla-state').filter({ hasText: 'Breached' }).waitFor({ timeout: 20_000 });
    await expectAccessible(board, 'SLA board');
    await shoot(board, 'sla-board.png');

    await row.getByRole('button', { name: 'Resolve' }).click();
    await board.locator(`tr[data-ticket="${ticketId}"]`).waitFor({ state: 'detached', timeout: 20_000 });
    const ticket = await call('GET', `${feedback()}/tickets/${ticketId}`, e2e.agent);
    expect(ticket.body).toMatchObject({ status: 'resolved', type: 'complaint', owner: 'agent-7' });
    expect(ticket.body.breaches.firstResponse).not.toBeNull();
  }, 180_000);

  it('masks personal data for an analyst; an agent who reveals it leaves an audit entry', async () => {
    const analyst = await signedIn('analyst', 'analyst-3');
    await analyst.goto(`${consoleApp.url}customers/${customerId}`);
    const masked = await analyst.getByTestId('customer-email').textContent();
    expect(masked).not.toContain(EMAIL);
    expect(masked).toMatch(/\*/);
    expect(await analyst.getByRole('button', { name: 'Reveal personal data' }).count()).toBe(0);

    const agent = await signedIn('agent', 'agent-7');
    await agent.goto(`${consoleApp.url}customers/${customerId}`);
    await agent.getByRole('button', { name: 'Reveal personal data' }).click();
    await agent.getByLabel('Reason (kept in the audit log)').fill('customer called about invoice INV-7');
    await agent.getByRole('dialog').getByRole('button', { name: 'Reveal personal data' }).click();
    await agent.getByTestId('customer-email').filter({ hasText: EMAIL }).waitFor();
    const audit = await call('GET', `${profile()}/audit/personal-data?customerId=${customerId}`, e2e.admin);
    expect(audit.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: 'agent-7',
          action: 'reveal',
          reason: 'customer called about invoice INV-7',
        }),
      ]),
    );
  }, 120_000);

  it('previews segments with the mistake underlined, lists an owner’s queue, and speaks Chinese', async () => {
    const page = await signedIn('agent', 'agent-7');
    await page.getByRole('menuitem', { name: 'Segments' }).click();
    const editor = page.getByLabel('Segment expression');
    await editor.fill("value_tier = 'high-value' and");
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('expression-problem').waitFor();
    await expectAccessible(page, 'segments (error)');
    await editor.fill("value_tier = 'high-value'");
    await page.getByRole('button', { name: 'Preview' }).click();
    expect(Number(await page.getByTestId('preview-count').textContent())).toBeGreaterThanOrEqual(1);
    await expectAccessible(page, 'segments');
    await shoot(page, 'segments.png');

    await page.getByRole('menuitem', { name: 'My queue' }).click();
    await page.getByRole('heading', { name: 'My queue' }).waitFor();
    await expectAccessible(page, 'queue');

    await page.getByRole('menuitem', { name: 'Customers' }).click();
    await page.getByLabel('Find customers').fill('tier:high-value');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'C2024001' }).waitFor();
    await expectAccessible(page, 'customer search');
    // By name: exact, case and spacing aside, through the blind index (the name is never stored readable).
    await page.getByLabel('Find customers').fill('name:  wang LEI pumps ');
    const [byName] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/console/api/customers/search')),
      page.getByRole('button', { name: 'Search' }).click(),
    ]);
    expect(await byName.json()).toMatchObject({ by: 'name', total: 1, hits: [{ id: customerId }] });
    await page.getByRole('link', { name: 'C2024001' }).waitFor();
    await page.getByLabel('Find customers').fill('name:Wang Lei');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No customers found').waitFor();

    await page.getByRole('menuitem', { name: 'Overview' }).click();
    await page.getByRole('radiogroup', { name: 'Language' }).getByText('简体中文').click();
    await page.getByRole('menuitem', { name: 'SLA 看板' }).waitFor();
    await page.getByText('按价值层级的客户数').waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
    await expectAccessible(page, 'overview (zh-CN)');
    await shoot(page, 'overview-zh-CN.png');
  }, 120_000);

  it('signs in with the identity provider (authorization code with PKCE) when one is configured', async () => {
    const idp = await startOidcProvider({
      subject: 'oidc-lead-1',
      roles: ['analyst'],
      clientId: 'crm-console',
    });
    const oidcConsole = await startConsole(150, {
      AUTH_OIDC_DISCOVERY_URL: idp.discoveryUrl,
      CONSOLE_OIDC_CLIENT_ID: 'crm-console',
      CONSOLE_DEV_SIGN_IN: 'false',
    });
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(oidcConsole.url);
      await page.getByRole('button', { name: 'Sign in with your identity provider' }).waitFor();
      // No development sign-in where an identity provider is configured and it is switched off.
      expect(await page.getByLabel('Your staff id').count()).toBe(0);
      await expectAccessible(page, 'sign-in (OIDC)');
      await page.getByRole('button', { name: 'Sign in with your identity provider' }).click();
      await page.getByRole('button', { name: 'Sign out (oidc-lead-1)' }).waitFor({ timeout: 20_000 });
      expect(page.url()).toBe(oidcConsole.url);
      expect(idp.tokenRequests).toEqual([{ ok: true }]);
      // The console checks the provider's token (JWKS) and knows the person and the role it carries.
      const me = await page.evaluate(async () => {
        const session = JSON.parse(sessionStorage.getItem('crm-console-session') ?? '{}') as {
          token?: string;
        };
        const response = await fetch('/console/api/me', {
          headers: { authorization: `Bearer ${session.token}` },
        });
        return { status: response.status, body: (await response.json()) as unknown };
      });
      expect(me).toEqual({ status: 200, body: { subject: 'oidc-lead-1', roles: ['analyst'] } });
      const devSignIn = await fetch(`${oidcConsole.url}api/dev-sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'admin', subject: 'intruder' }),
      });
      expect(devSignIn.status).toBe(503);
      // With a browser watching its event stream, the replica still shuts down on SIGTERM (it ends the
      // stream), rather than being killed once the grace period is over.
      await page.getByTestId('live-state').filter({ hasText: /Live/ }).waitFor({ timeout: 30_000 });
      expect(await oidcConsole.stop()).toEqual({ code: null, signal: 'SIGTERM' });
    } finally {
      await oidcConsole.stop();
      await idp.stop();
    }
  }, 120_000);
});
