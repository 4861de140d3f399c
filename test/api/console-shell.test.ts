// The console's frame in chromium against the real API: sign in with a token (kept in this tab's
// sessionStorage only: never in localStorage, a cookie or the URL), the header shows tenant, user
// and role, the navigation offers Admin to the platform administrator only, the language follows
// the browser and can be switched, and axe finds no serious or critical violation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createTenantWithUsers, startTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { chromiumSkipReason, consoleBuilt, hasChromium, launchChromium, screenshot, seriousAxeViolations, signedInTab } from '../helpers/console.js';

const run = hasChromium && consoleBuilt ? describe : describe.skip;
const reason = chromiumSkipReason || (consoleBuilt ? '' : ' — SKIPPED: the console is not built (npm test builds it)');

run(`the console's frame in a browser${reason}`, () => {
  let t: TestApp;
  let tenant: TestTenant;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    t = await startTestApp();
    origin = new URL(t.url).origin;
    tenant = await createTenantWithUsers(t, 'console-shell');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('refuses a wrong token, then signs in; the token stays in sessionStorage only', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/console/`);
      await page.locator('#token').waitFor();
      expect(await seriousAxeViolations(page)).toEqual([]);
      await screenshot(page, 'sign-in');
      await page.locator('#token').fill('aos_not-a-token');
      await page.locator('form button[type=submit]').click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('refused');

      await page.locator('#token').fill(tenant.operator);
      await page.locator('form button[type=submit]').click();
      await page.getByTestId('who-user').waitFor();
      expect(await page.getByTestId('who-tenant').textContent()).toBe(tenant.name);
      expect(await page.getByTestId('who-user').textContent()).toBe('operator-1');
      expect(await page.getByTestId('who-role').getAttribute('data-role')).toBe('OPERATOR');
      // No Admin entry for a tenant's operator; the page answers "not found" if asked directly.
      expect(await page.getByRole('navigation').getByRole('link').allTextContents()).toEqual(['Stacks', 'Templates', 'Audit', 'Clusters']);
      await page.goto(`${origin}/console/admin`);
      await page.getByTestId('not-found').waitFor();

      const storage = await page.evaluate(() => ({ local: JSON.stringify(localStorage), session: JSON.stringify(sessionStorage), url: location.href, cookie: document.cookie }));
      expect(storage.session).toContain(tenant.operator);
      expect(storage.local).not.toContain(tenant.operator);
      expect(storage.url).not.toContain(tenant.operator);
      expect(storage.cookie).toBe('');
      // A reload keeps the tab signed in; signing out forgets the token.
      await page.reload();
      await page.getByTestId('who-user').waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.locator('#token').waitFor();
      expect(await page.evaluate(() => JSON.stringify(sessionStorage))).not.toContain(tenant.operator);
    } finally {
      await context.close();
    }
  });

  it('ends the session when the token is revoked while the tab is open', { timeout: 60_000 }, async () => {
    const made = await t.gql(t.adminToken, `mutation($input: CreateUserInput!) { createUser(input: $input) { __typename ... on CreateUserSuccess { token } } }`, {
      input: { tenantId: tenant.id, name: 'soon-revoked', role: 'VIEWER' },
    });
    const token: string = made.data!.createUser.token;
    const tab = await signedInTab(browser, origin, token);
    try {
      const me = await t.gql(token, '{ viewer { tokens { id } } }');
      const revoked = await t.gql(t.adminToken, `mutation($id: ID!) { revokeToken(input: { tokenId: $id }) { __typename } }`, { id: me.data!.viewer.tokens[0].id });
      expect(revoked.data!.revokeToken.__typename).toBe('RevokeTokenSuccess');
      // The next request is refused: the console forgets the token and asks for one.
      await tab.page.getByRole('navigation').getByRole('link', { name: 'Templates' }).click();
      await tab.page.locator('#token').waitFor({ timeout: 15_000 });
      expect(await tab.page.evaluate(() => JSON.stringify(sessionStorage))).not.toContain(token);
    } finally {
      await tab.context.close();
    }
  });

  it('shows the platform administrator the Admin entry, in the browser’s language, switchable', { timeout: 60_000 }, async () => {
    const tab = await signedInTab(browser, origin, t.adminToken, { locale: 'zh-CN' });
    try {
      const { page } = tab;
      expect(await page.getByTestId('who-role').textContent()).toBe('平台管理员');
      expect(await page.getByRole('navigation').getByRole('link').allTextContents()).toEqual(['堆栈', '模板', '审计', '集群', '管理']);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
      await page.getByRole('combobox', { name: '语言' }).selectOption('en');
      await expect.poll(() => page.getByRole('navigation').getByRole('link').first().textContent()).toBe('Stacks');
      expect(await page.getByTestId('who-role').textContent()).toBe('Platform administrator');
      // The choice is kept for the next visit.
      await page.reload();
      await page.getByTestId('who-user').waitFor();
      expect(await page.getByRole('navigation').getByRole('link').first().textContent()).toBe('Stacks');
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(tab.problems).toEqual([]);
    } finally {
      await tab.context.close();
    }
  });
});
