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
import { dockerHost, dockerSkipReason } from '../helpers/docker.js';
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

/** A template with an input of each kind and constraints; two random strings, the second after the first. */
const FORM_TEMPLATE = `tosca_definitions_version: ctc_tosca_version_1_0
description: inputs of every kind
inputs:
  replicas: {type: integer, default: 2, description: Characters of the first string, constraints: [{in_range: [1, 10]}]}
  size: {type: string, default: small, constraints: [{valid_values: [small, large]}]}
  code: {type: string, default: ab1, constraints: [{pattern: "[a-z]+[0-9]"}]}
  shout: {type: string, default: AB, constraints: [{pattern: "\\\\p{Lu}+"}]}
  db_password: {type: password, label: Database password, description: The database password, constraints: [{min_length: 12}]}
  debug: {type: boolean, default: false}
  tags: {type: list, default: [web]}
  ratio: {type: float, default: 0.5, constraints: [{less_than: 1}]}
node_templates:
  first:
    type: CTC.Core.RandomString
    properties: {length: {get_input: replicas}}
  second:
    type: CTC.Core.RandomString
    properties: {length: 8}
    requirements:
      - dependency: {node: first}
`;

/** The text of the elements an element's aria-describedby names. */
async function description(page: Page, selector: string): Promise<string> {
  return page.locator(selector).evaluate((element) =>
    (element.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' | '),
  );
}

async function fieldError(page: Page, input: string): Promise<string> {
  const error = page.locator(`[data-field=${input}] [data-testid=field-error]`);
  return (await error.count()) === 0 ? '' : ((await error.textContent()) ?? '');
}

async function downloaded(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  const where = await file.path();
  return { name: file.suggestedFilename(), text: await readFile(where, 'utf8') };
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

  let tenantAdmin: string;

  async function createTemplate(name: string, body = quickstartTemplate()): Promise<string> {
    const res = await t.gql(tenant.operator, `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { __typename ... on CreateTemplateSuccess { template { id } } ... on Error { message } } }`, { input: { name, version: '1', body } });
    if (res.data?.createTemplate.__typename !== 'CreateTemplateSuccess') throw new Error(JSON.stringify(res));
    return res.data.createTemplate.template.id as string;
  }

  beforeAll(async () => {
    t = await startTestApp();
    origin = new URL(t.url).origin;
    tenant = await createTenantWithUsers(t, 'console-pages');
    const admin = await t.gql(t.adminToken, `mutation($input: CreateUserInput!) { createUser(input: $input) { __typename ... on CreateUserSuccess { token } } }`, { input: { tenantId: tenant.id, name: 'admin-1', role: 'ADMIN' } });
    tenantAdmin = admin.data!.createUser.token as string;
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

  it('creates from a form generated from the inputs: constraints checked at the fields, password masked, server problems mapped, preview, export and import', { timeout: 120_000 }, async () => {
    const created = await t.gql(tenant.operator, `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { __typename ... on CreateTemplateSuccess { template { id } } ... on Error { message } } }`, {
      input: { name: 'form-kinds', version: '1', body: FORM_TEMPLATE, description: 'inputs of every kind' },
    });
    const templateId = created.data!.createTemplate.template.id as string;
    const { page, problems } = await tab(tenant.operator, `/templates/${templateId}`);
    await page.getByRole('link', { name: 'Create a stack from version 1' }).click();
    await page.getByRole('heading', { name: 'Create a stack' }).waitFor();
    const field = (name: string) => page.locator(`[data-input=${name}]`);
    await field('replicas').waitFor();

    // Defaults prefilled; valid_values a select; the password masked, empty, its description its help.
    expect(await field('replicas').inputValue()).toBe('2');
    expect(await field('tags').inputValue()).toBe('["web"]');
    expect(await field('size').evaluate((select) => [...(select as HTMLSelectElement).options].map((o) => o.value))).toEqual(['', 'small', 'large']);
    expect(await field('db_password').getAttribute('type')).toBe('password');
    expect(await field('db_password').inputValue()).toBe('');
    expect(await page.getByLabel('Database password').getAttribute('data-input')).toBe('db_password');
    expect(await description(page, '[data-input=db_password]')).toContain('The database password');
    expect(await description(page, '[data-input=replicas]')).toContain('from 1 to 10');

    // Constraints checked as typed, messages beside the fields.
    await field('replicas').fill('11');
    expect(await fieldError(page, 'replicas')).toBe('Must be between 1 and 10.');
    expect(await description(page, '[data-input=replicas]')).toContain('Must be between 1 and 10.');
    expect(await field('replicas').getAttribute('aria-invalid')).toBe('true');
    await field('replicas').fill('2.5');
    expect(await fieldError(page, 'replicas')).toBe('Enter a whole number.');
    await field('code').fill('ABC');
    expect(await fieldError(page, 'code')).toBe('Must match the pattern [a-z]+[0-9].');
    await field('db_password').fill('short');
    expect(await fieldError(page, 'db_password')).toBe('Must have at least 12 characters or items.');
    await field('ratio').fill('1');
    expect(await fieldError(page, 'ratio')).toBe('Must be less than 1.');
    await field('tags').fill('{a: 1}');
    expect(await fieldError(page, 'tags')).toBe('Enter a list, e.g. [a, b].');
    // Preview with the fields wrong asks nothing of the server; the name is required too.
    await page.getByRole('button', { name: 'Preview' }).click();
    expect(await page.getByTestId('plan').count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByLabel('Name', { exact: true }).fill('kinds');
    await field('replicas').fill('3');
    await field('code').fill('abc1');
    await field('db_password').fill('correct-horse-battery');
    await field('ratio').fill('0.25');
    await field('tags').fill('[web, db]');
    await field('size').selectOption('large');
    // \p{Lu} is RE2 syntax the browser does not check the same way: the server's answer comes back to the field.
    await field('shout').fill('quiet');
    expect(await fieldError(page, 'shout')).toBe('');
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => fieldError(page, 'shout'), { timeout: 15_000 }).toContain('does not match the pattern');
    expect(await page.getByRole('button', { name: 'Create' }).isDisabled()).toBe(true);
    await field('shout').fill('LOUD');

    // The plan: steps in install order, waves.
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('plan').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid=plan-steps] tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-element')))).toEqual(['first', 'second']);
    expect(await page.locator('[data-testid=plan-steps] tbody tr[data-element=second] td').last().textContent()).toBe('first');
    expect(await page.getByTestId('plan-waves').locator('li').allTextContents()).toEqual(['Wave 1: first', 'Wave 2: second']);
    expect(await page.getByRole('button', { name: 'Create' }).isEnabled()).toBe(true);
    expect(await page.content()).not.toContain('correct-horse-battery');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByTestId('plan').scrollIntoViewIfNeeded();
    await screenshot(page, 'create-stack');
    // A change after the preview asks for a new one before Create.
    await field('replicas').fill('4');
    expect(await page.getByRole('button', { name: 'Create' }).isDisabled()).toBe(true);

    // Export: the values as typed, the password left out unless asked for.
    const yamlFile = await downloaded(page, 'Export as YAML');
    expect(yamlFile.name).toBe('kinds-inputs.yaml');
    expect(yamlFile.text).toContain('replicas: 4');
    expect(yamlFile.text).toContain('size: large');
    expect(yamlFile.text).not.toContain('db_password');
    await page.getByLabel('Include password values in the exported file').check();
    const jsonFile = await downloaded(page, 'Export as JSON');
    expect(JSON.parse(jsonFile.text)).toMatchObject({ replicas: 4, size: 'large', code: 'abc1', shout: 'LOUD', db_password: 'correct-horse-battery', tags: ['web', 'db'], ratio: 0.25, debug: false });

    // Import into a fresh form: the values come back; a masked password and unknown names are said.
    await page.reload();
    await field('replicas').waitFor();
    expect(await field('replicas').inputValue()).toBe('2');
    await page.getByTestId('import-inputs').setInputFiles({ name: 'kinds-inputs.yaml', mimeType: 'application/yaml', buffer: Buffer.from(`${yamlFile.text}db_password: '******'\nnope: 1\n`) });
    await expect.poll(() => page.getByTestId('import-note').textContent()).toContain('Imported 7 values from kinds-inputs.yaml.');
    expect(await page.getByTestId('import-note').textContent()).toContain('ignored: nope.');
    expect(await page.getByTestId('import-note').textContent()).toContain('Masked password values (******) were not imported: db_password.');
    expect(await field('replicas').inputValue()).toBe('4');
    expect(await field('size').inputValue()).toBe('large');
    expect(await field('tags').inputValue()).toBe('["web","db"]');
    expect(await field('db_password').inputValue()).toBe('');
    await page.getByTestId('import-inputs').setInputFiles({ name: 'kinds-inputs.json', mimeType: 'application/json', buffer: Buffer.from(jsonFile.text) });
    await expect.poll(() => field('db_password').inputValue()).toBe('correct-horse-battery');
    await page.getByTestId('import-inputs').setInputFiles({ name: 'list.yaml', mimeType: 'application/yaml', buffer: Buffer.from('- a\n- b\n') });
    await expect.poll(() => page.getByRole('alert').allTextContents()).toContainEqual(expect.stringContaining('list.yaml is not a YAML or JSON mapping'));
    expect(problems).toEqual([]);
  });

  it('lists audit records newest first with the API filters (kept in the URL), and adds matching new ones live', { timeout: 90_000 }, async () => {
    await createTemplate('audited-one');
    const { page, problems } = await tab(tenant.operator, '/audit');
    await page.getByRole('heading', { name: 'Audit records' }).waitFor();
    const rows = page.locator('[data-testid=audit-table] tbody tr');
    await rows.first().waitFor();
    const times = await page.locator('[data-testid=audit-table] tbody time').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('datetime') ?? ''));
    expect(times).toEqual([...times].sort().reverse());

    await page.getByLabel('Operation').selectOption('CreateTemplate');
    await page.getByLabel('Resource name').fill('audited-one');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/traceName=CreateTemplate/);
    expect(page.url()).toContain('resourceName=audited-one');
    expect(page.url()).not.toContain(tenant.operator);
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-trace')} ${tr.getAttribute('data-resource-name')}`))).toEqual(['CreateTemplate audited-one']);
    // The filtered URL opens the same view after a reload.
    await page.reload();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await page.getByLabel('Resource name').inputValue()).toBe('audited-one');

    // Only the operation: a template created now appears at the top without a reload; a preview (another operation) does not.
    await page.getByLabel('Resource name').fill('');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL((url) => !url.search.includes('resourceName'));
    await expect.poll(() => rows.count()).toBeGreaterThan(1);
    const before = await rows.count();
    await createTemplate('audited-live');
    await expect.poll(() => rows.first().getAttribute('data-resource-name'), { timeout: 15_000 }).toBe('audited-live');
    expect(await rows.count()).toBe(before + 1);
    expect(await rows.evaluateAll((trs) => [...new Set(trs.map((tr) => tr.getAttribute('data-trace')))])).toEqual(['CreateTemplate']);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'audit');
    expect(problems).toEqual([]);
  });

  it('shows the clusters with kind, endpoint and live health; the tenant ADMIN may delete one, an operator may not', { timeout: 90_000 }, async () => {
    const register = async (name: string, endpoint: string) => {
      const res = await t.gql(t.adminToken, `mutation($input: RegisterClusterInput!) { registerCluster(input: $input) { __typename ... on Error { message } } }`, { input: { name, kind: 'DOCKER', endpoint, tenantId: tenant.id } });
      expect(res.data?.registerCluster.__typename).toBe('RegisterClusterSuccess');
    };
    const docker = dockerSkipReason() === null;
    if (docker) await register('local', dockerHost());
    await register('gone', 'unix:///tmp/aos-no-such-engine.sock');

    const operator = await tab(tenant.operator, '/clusters');
    const table = operator.page.getByTestId('clusters-table');
    await table.waitFor({ timeout: 20_000 });
    const gone = table.locator('tr[data-cluster=gone]');
    expect(await gone.getAttribute('data-healthy')).toBe('false');
    expect(await gone.locator('td').nth(0).textContent()).toBe('DOCKER');
    expect(await gone.locator('td').nth(1).textContent()).toBe('unix:///tmp/aos-no-such-engine.sock');
    expect(await gone.textContent()).toContain('Unreachable');
    if (docker) {
      const local = table.locator('tr[data-cluster=local]');
      expect(await local.getAttribute('data-healthy')).toBe('true');
      expect(await local.textContent()).toMatch(/Docker \d/);
    }
    expect(await operator.page.getByRole('button', { name: /^Delete / }).count()).toBe(0);
    expect(await seriousAxeViolations(operator.page)).toEqual([]);
    await screenshot(operator.page, 'clusters');

    const admin = await tab(tenantAdmin, '/clusters');
    await admin.page.getByRole('button', { name: 'Delete gone' }).click();
    await admin.page.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => admin.page.getByRole('status').allTextContents(), { timeout: 20_000 }).toContain('gone was deleted.');
    await expect.poll(() => admin.page.locator('tr[data-cluster=gone]').count()).toBe(0);
    expect(admin.problems).toEqual([]);
    expect(operator.problems).toEqual([]);
  });

  it('gives the platform administrator tenants, quotas and freezing; a tenant ADMIN or VIEWER sees no Admin; the pages speak Chinese', { timeout: 90_000 }, async () => {
    for (const token of [tenantAdmin, tenant.viewer]) {
      const other = await tab(token, '/templates');
      expect(await other.page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual(['Stacks', 'Templates', 'Audit', 'Clusters']);
      await other.page.goto(`${origin}/console/admin`);
      await other.page.getByTestId('not-found').waitFor();
    }
    // A VIEWER is offered no way to add templates.
    const viewer = await tab(tenant.viewer, '/templates');
    await viewer.page.getByRole('heading', { name: 'Templates' }).waitFor();
    expect(await viewer.page.getByRole('link', { name: 'New template' }).count()).toBe(0);

    const { page, problems } = await tab(t.adminToken, '/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    const row = page.locator(`[data-testid=tenants-table] tr[data-tenant="${tenant.name}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('ACTIVE');
    const templatesUsed = Number((await row.getByTestId('templates-used').textContent())!.split(' / ')[0]);
    expect(templatesUsed).toBeGreaterThanOrEqual(3);

    await page.getByLabel(`Template limit of ${tenant.name}`).fill('40');
    await page.getByLabel(`Stack limit of ${tenant.name}`).fill('9');
    await page.getByRole('button', { name: `Set quota of ${tenant.name}` }).click();
    await expect.poll(() => row.getByTestId('stacks-used').textContent()).toBe('0 / 9');
    expect(await row.getByTestId('templates-used').textContent()).toBe(`${templatesUsed} / 40`);
    const quota = await t.gql(tenant.operator, `{ quota { templates stacks } }`);
    expect(quota.data!.quota).toEqual({ templates: 40, stacks: 9 });

    await page.getByRole('button', { name: `Freeze ${tenant.name}` }).click();
    await expect.poll(() => row.getAttribute('data-state')).toBe('FROZEN');
    const refused = await t.gql(tenant.operator, `mutation { createTemplate(input: { name: "while-frozen", version: "1", body: "x" }) { __typename } }`);
    expect(refused.data!.createTemplate.__typename).toBe('TenantFrozen');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'admin');
    await page.getByRole('button', { name: `Unfreeze ${tenant.name}` }).click();
    await expect.poll(() => row.getAttribute('data-state')).toBe('ACTIVE');

    // The same pages in Simplified Chinese.
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await page.getByRole('heading', { name: '租户' }).waitFor();
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '审计' }).click();
    await page.getByRole('heading', { name: '审计记录' }).waitFor();
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '模板' }).click();
    await page.getByRole('heading', { name: '模板' }).waitFor();
    expect(await page.getByRole('link', { name: '新建模板' }).count()).toBe(1);
    expect(problems).toEqual([]);
  });
});
