// The console's templates, create-stack, audit, clusters and admin pages in chromium against the
// real API: the template editor marks the server's problems at their line, Save waits for a valid
// text, files are read (and refused past 1 MiB); the create form checks constraints and masks
// passwords, imports and exports input values; the audit filters, the clusters' health, the admin
// page for the platform administrator only; axe on every page; screenshots into docs/.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createTenantWithUsers, startTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { chromiumSkipReason, consoleBuilt, editorText, hasChromium, launchChromium, pasteIntoEditor, screenshot, seriousAxeViolations, signedInTab, type ConsoleTab } from '../helpers/console.js';
import { quickstartTemplate } from '../helpers/fixtures.js';

const run = hasChromium && consoleBuilt ? describe : describe.skip;
const reason = chromiumSkipReason || (consoleBuilt ? '' : ' — SKIPPED: the console is not built (npm test builds it)');

const EDITOR = '[data-testid=yaml-editor]';

/** The quick-start with line 8 (`    type: string` of the image input) indented with a tab. */
function withTab(text: string): { text: string; line: number } {
  const lines = text.split('\n');
  const index = lines.indexOf('    type: string');
  lines[index] = '\ttype: string';
  return { text: lines.join('\n'), line: index + 1 };
}

async function verdict(page: Page): Promise<string | null> {
  return page.getByTestId('template-verdict').getAttribute('data-valid');
}

run(`the console's pages in a browser${reason}`, () => {
  let t: TestApp;
  let tenant: TestTenant;
  let browser: Browser;
  let origin: string;
  const tabs: ConsoleTab[] = [];

  async function tab(token: string, path = '/', locale = 'en-US'): Promise<ConsoleTab> {
    const opened = await signedInTab(browser, origin, token, { path, locale });
    tabs.push(opened);
    return opened;
  }

  beforeAll(async () => {
    t = await startTestApp();
    origin = new URL(t.url).origin;
    tenant = await createTenantWithUsers(t, 'console-pages');
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const opened of tabs) await opened.context.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it('writes a template: the tab marked at its line, Save off until valid, a file read, one over 1 MiB refused; list and version pages', { timeout: 120_000 }, async () => {
    const { page, problems } = await tab(tenant.operator, '/templates');
    await page.getByRole('heading', { name: 'Templates' }).waitFor();
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByRole('heading', { name: 'New template' }).waitFor();
    await page.locator(`${EDITOR} .cm-content`).waitFor();
    const save = page.getByRole('button', { name: 'Save' });
    expect(await save.isDisabled()).toBe(true);

    await page.getByLabel('Name', { exact: true }).fill('web');
    const broken = withTab(quickstartTemplate());
    await pasteIntoEditor(page, EDITOR, broken.text);
    await expect.poll(() => page.locator('[data-testid=template-problems] li').count(), { timeout: 15_000 }).toBe(1);
    const problem = page.locator('[data-testid=template-problems] li').first();
    expect(await problem.getAttribute('data-code')).toBe('YAML_TAB');
    expect(await problem.getAttribute('data-line')).toBe(String(broken.line));
    expect(await problem.textContent()).toContain(`Line ${broken.line}, column 1`);
    expect(await problem.textContent()).toContain('replace the tab');
    // Marked in the editor: on that line's text, and in the gutter beside it.
    const line = page.locator(`${EDITOR} .cm-line`).nth(broken.line - 1);
    expect(await line.locator('.cm-lintRange-error').count()).toBe(1);
    expect(await page.locator(`${EDITOR} .cm-lint-marker-error`).count()).toBe(1);
    expect(await verdict(page)).toBe('false');
    expect(await save.isDisabled()).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    // The problem's place is a button: the cursor goes to that line.
    await problem.getByRole('button', { name: `Line ${broken.line}, column 1` }).click();
    expect(await page.locator(`${EDITOR} .cm-activeLine`).textContent()).toBe('\ttype: string');
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'template-editor');

    // Fixed: valid, the inputs summarised, Save on.
    await pasteIntoEditor(page, EDITOR, quickstartTemplate());
    await expect.poll(() => verdict(page), { timeout: 15_000 }).toBe('true');
    expect(await page.getByTestId('template-verdict').textContent()).toBe('Valid: 2 elements, 2 inputs, 1 outputs.');
    expect(await page.locator('[data-testid=input-summary] tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-input')))).toEqual(['image', 'instance']);
    expect(await page.locator(`${EDITOR} .cm-lintRange-error`).count()).toBe(0);
    expect(await save.isEnabled()).toBe(true);
    // Invalid again while typing (an unknown section): Save goes off at once, before the answer.
    await page.locator(`${EDITOR} .cm-content`).press('ControlOrMeta+End');
    await page.keyboard.type('\nbogus: 1');
    expect(await save.isDisabled()).toBe(true);
    await expect.poll(() => page.locator('[data-testid=template-problems] li[data-code=UNKNOWN_FIELD]').count(), { timeout: 15_000 }).toBe(1);
    expect(await save.isDisabled()).toBe(true);

    // A file: its text replaces the editor's; one over 1 MiB is refused unread.
    const fileInput = page.getByTestId('template-file');
    await fileInput.setInputFiles({ name: 'big.yaml', mimeType: 'application/yaml', buffer: Buffer.alloc(1024 * 1024 + 1, 'a') });
    await expect.poll(() => page.getByRole('alert').allTextContents()).toEqual([expect.stringContaining('big.yaml has 1048577 bytes')]);
    await fileInput.setInputFiles({ name: 'nginx-quickstart.yaml', mimeType: 'application/yaml', buffer: Buffer.from(quickstartTemplate()) });
    await expect.poll(() => verdict(page), { timeout: 15_000 }).toBe('true');
    expect((await editorText(page, EDITOR)).startsWith('# Quick-start template from the product guide')).toBe(true);

    await page.getByLabel('Description').fill('The guide’s quick-start');
    await save.click();
    await page.getByRole('heading', { name: 'web' }).waitFor();
    expect(page.url()).toMatch(/\/console\/templates\/[0-9a-f-]+\/versions\/1$/);
    expect(await page.locator('[data-testid=input-summary] tbody tr').count()).toBe(2);
    await page.locator(`${EDITOR} .cm-content[aria-readonly=true]`).waitFor();
    expect(await editorText(page, EDITOR)).toContain('tosca_definitions_version: ctc_tosca_version_1_0');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // A second version: starts from version 1's text (no masked secrets in it), numbered 2.
    await page.getByRole('link', { name: 'New version' }).click();
    await page.getByRole('heading', { name: 'New version of web' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Version', exact: true }).inputValue()).toBe('2');
    await expect.poll(() => verdict(page), { timeout: 15_000 }).toBe('true');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/versions\/2$/);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Templates' }).click();
    const row = page.locator('[data-testid=templates-table] tr[data-template=web]');
    await row.waitFor();
    expect(await row.locator('td').first().textContent()).toBe('The guide’s quick-start');
    expect(await row.getByRole('list').getByRole('link').allTextContents()).toEqual(['1', '2']);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'templates');
    expect(problems).toEqual([]);
  });
});
