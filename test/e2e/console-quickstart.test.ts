// The product guide's quick-start through the web console only, in chromium against the real API,
// a real worker, PostgreSQL and a Docker engine: sign in, paste the template with a tab in its
// indentation (marked at its line, Save off), fix it and save; create with the generated form
// (image = the local test image, instance = 2) after its preview; the topology turns healthy live
// and the NodePort link serves the page; stop → start → update to 3 instances with its preview →
// delete. The template (../shared/examples/nginx-quickstart.yaml) is used unchanged: its default
// image lives on an unreachable registry, so the form's image field is set to aos-test/httpd:1.
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkipReason, consoleBuilt, hasChromium, launchChromium, pasteIntoEditor, signedInTab, type ConsoleTab } from '../helpers/console.js';
import { dockerHost, dockerSkipReason, httpGet, pageAt } from '../helpers/docker.js';
import { quickstartTemplate } from '../helpers/fixtures.js';
import { startLifecycle, type Lifecycle } from '../helpers/lifecycle.js';

// busybox httpd runs as PID 1 and ignores SIGTERM: every stop would wait the whole grace period.
process.env.AOS_DOCKER_STOP_TIMEOUT_SECONDS ??= '1';

const skip = dockerSkipReason() ?? (hasChromium ? null : chromiumSkipReason) ?? (consoleBuilt ? null : ' — SKIPPED: the console is not built (npm test builds it)');
if (skip) console.log(skip);

const EDITOR = '[data-testid=yaml-editor]';
const MONITOR_MS = 1500;

/** The stack page's status once it is `status` and no action runs (the page updates itself: no reload). */
async function settled(page: Page, status: string, timeout = 180_000): Promise<void> {
  await page.locator(`[data-testid=stack-page][data-status=${status}]`).waitFor({ timeout });
  await expect.poll(() => page.getByTestId('stack-actions').locator('button[data-action=CANCEL]').count(), { timeout }).toBe(0);
}

describe.skipIf(skip !== null)('the quick-start through the console', () => {
  let l: Lifecycle;
  let docker: Docker;
  let browser: Browser;
  let tab: ConsoleTab | undefined;

  beforeAll(async () => {
    l = await startLifecycle('console-qs', { monitorIntervalMs: MONITOR_MS });
    docker = new Docker({ socketPath: dockerHost().replace(/^unix:\/\//, '') });
    // The platform's engine reaches the tenant through the platform administrator (trusted), as `npm run up` does.
    const res = await l.t.gql(l.t.adminToken, `mutation($input: RegisterClusterInput!) { registerCluster(input: $input) { __typename ... on Error { message } } }`, {
      input: { name: 'local', kind: 'DOCKER', endpoint: dockerHost(), tenantId: l.tenant.id },
    });
    expect(res.data?.registerCluster.__typename).toBe('RegisterClusterSuccess');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await tab?.context.close().catch(() => undefined);
    await browser?.close();
    await l?.close();
  });

  it('signs in, writes the template (the tab marked, then fixed), creates with the form after its preview, and runs stop, start, update and delete from the stack page', { timeout: 600_000 }, async () => {
    const started = Date.now();
    tab = await signedInTab(browser, new URL(l.t.url).origin, l.tenant.operator);
    const { page } = tab;

    // The template: pasted with a tab in its indentation, marked at that line; fixed; saved.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Templates' }).click();
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByLabel('Name', { exact: true }).fill('nginx-quickstart');
    const lines = quickstartTemplate().split('\n');
    const tabLine = lines.indexOf('    type: string') + 1;
    await pasteIntoEditor(page, EDITOR, lines.map((line, index) => (index === tabLine - 1 ? line.replace(/^ {4}/, '\t') : line)).join('\n'));
    const marked = page.locator(`[data-testid=template-problems] li[data-code=YAML_TAB][data-line="${tabLine}"]`);
    await marked.waitFor({ timeout: 15_000 });
    expect(await page.locator(`${EDITOR} .cm-line`).nth(tabLine - 1).locator('.cm-lintRange-error').count()).toBe(1);
    const save = page.getByRole('button', { name: 'Save' });
    expect(await save.isDisabled()).toBe(true);
    await pasteIntoEditor(page, EDITOR, quickstartTemplate());
    await page.locator('[data-testid=template-verdict][data-valid=true]').waitFor({ timeout: 15_000 });
    await save.click();
    await page.getByRole('heading', { name: 'nginx-quickstart' }).waitFor();

    // The stack: the form from the template's inputs, the local image, 2 instances, previewed, created.
    await page.getByRole('link', { name: 'Create a stack from version 1' }).click();
    await page.locator('[data-input=image]').waitFor();
    expect(await page.locator('[data-input=image]').inputValue()).toBe('100.125.0.12:20202/wuhu/nginx:latest');
    expect(await page.locator('[data-input=instance]').inputValue()).toBe('1');
    await page.getByLabel('Name', { exact: true }).fill('web');
    await expect.poll(() => page.getByLabel('Cluster').locator('option:checked').textContent()).toContain('local (DOCKER, healthy)');
    await page.locator('[data-input=image]').fill('aos-test/httpd:1');
    await page.locator('[data-input=instance]').fill('2');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('plan').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid=plan-steps] tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-element')))).toEqual(['nginx-container', 'nginx-app']);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/console\/stacks\/[0-9a-f-]{36}$/);
    const stackId = page.url().split('/').pop()!;

    // Healthy, live: the topology's nodes turn HEALTHY without a reload; the NodePort link serves the page.
    await settled(page, 'NORMAL');
    await expect.poll(() => page.locator('[data-testid=topology] [data-element]').evaluateAll((nodes) => nodes.map((node) => `${node.getAttribute('data-element')}:${node.getAttribute('data-health')}`).sort()), { timeout: 30_000 }).toEqual([
      'nginx-app:HEALTHY',
      'nginx-container:HEALTHY',
    ]);
    console.log(`console quick-start: template saved and stack NORMAL after ${Date.now() - started} ms`);
    const link = page.locator('[data-output=nginx-NodePort] [data-testid=output-link]');
    const href = (await link.getAttribute('href'))!;
    const port = Number(new URL(href).port);
    expect(href).toBe(`http://127.0.0.1:${port}/`);
    expect(await pageAt(port)).toContain('AOS test page v1');
    // Followed in the browser too (a context of its own: the console's tab may reach only the API).
    const outside = await browser.newContext();
    try {
      const served = await outside.newPage();
      await served.goto(href);
      expect(await served.content()).toContain('AOS test page v1');
    } finally {
      await outside.close();
    }
    const containers = async () => (await docker.listContainers({ filters: { label: [`aos.stack=${stackId}`] } })).length;
    expect(await containers()).toBe(2);

    // Stop and start.
    await page.getByTestId('stack-actions').locator('button[data-action=STOP]').click();
    await settled(page, 'STOPPED');
    expect(await containers()).toBe(0);
    await expect(httpGet('127.0.0.1', port, '/', 1000)).rejects.toBeDefined();
    await page.getByTestId('stack-actions').locator('button[data-action=START]').click();
    await settled(page, 'NORMAL');
    expect(await pageAt(port)).toContain('AOS test page v1');

    // Update to 3 instances: the preview first (nginx-app modified in place), then the update.
    await page.getByTestId('stack-actions').locator('button[data-action=UPDATE]').click();
    const dialog = page.getByTestId('update-dialog');
    await dialog.locator('input[name=instance]').fill('3');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    const step = dialog.locator('[data-testid=update-plan] tr[data-element=nginx-app]');
    await step.waitFor({ timeout: 15_000 });
    expect(await step.getAttribute('data-change')).toBe('MODIFY');
    expect(await dialog.locator('[data-testid=update-plan] tr[data-element=nginx-container]').getAttribute('data-change')).toBe('NO_CHANGE');
    await dialog.getByTestId('confirm-update').click();
    await expect.poll(() => l.stack(stackId).then((s) => `${s?.status} ${s?.revision}`), { timeout: 120_000 }).toBe('NORMAL 2');
    await settled(page, 'NORMAL');
    expect(await containers()).toBe(3);
    expect(await pageAt(port)).toContain('AOS test page v1');

    // Delete: the name typed to confirm; containers and network go.
    await page.getByTestId('stack-actions').locator('button[data-action=DELETE]').click();
    await page.getByTestId('delete-name').fill('web');
    await page.getByTestId('confirm-delete').click();
    await l.waitGone(stackId, 120_000);
    expect(await docker.listContainers({ all: true, filters: { label: [`aos.stack=${stackId}`] } })).toHaveLength(0);
    expect(await docker.listNetworks({ filters: { label: [`aos.stack=${stackId}`] } })).toHaveLength(0);
    expect(tab.problems).toEqual([]);
    console.log(`console quick-start: whole life in ${Date.now() - started} ms`);
  });
});
