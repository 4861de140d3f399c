// The web console in a real browser: Debian's chromium driven by playwright-core (no browser
// download), signed in with a token, checked by axe-core, photographed into docs/.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { repoRoot } from '../../src/config.js';

const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
/** Appended to a skipped test's name: why it did not run. */
export const chromiumSkipReason = hasChromium ? '' : ` — SKIPPED: no ${CHROMIUM} (npm test installs Debian's chromium with apt-get; it could not here)`;
/** Whether the console was built (scripts/test.sh builds it before the suite). */
export const consoleBuilt = existsSync(path.join(repoRoot, 'dist', 'console', 'index.html'));

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface ConsoleTab {
  context: BrowserContext;
  page: Page;
  /** Script errors and policy refusals seen in the page. */
  problems: string[];
}

/**
 * A fresh browser context (its own sessionStorage) on the console at `origin`, signed in with
 * `token`; `locale` sets navigator.languages (the console picks its language from it).
 */
export async function signedInTab(browser: Browser, origin: string, token: string, options: { locale?: string; path?: string } = {}): Promise<ConsoleTab> {
  const context = await browser.newContext({ locale: options.locale ?? 'en-US', viewport: { width: 1360, height: 900 }, serviceWorkers: 'block' });
  // Nothing but the API's origin: the console needs no other host.
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'data:' || url.protocol === 'blob:' || url.origin === origin) return route.continue();
    return route.abort('internetdisconnected');
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 40[134]/.test(message.text())) problems.push(message.text());
  });
  await page.goto(`${origin}/console${options.path ?? '/'}`);
  await signIn(page, token);
  return { context, page, problems };
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.locator('#token').fill(token);
  await page.locator('form button[type=submit]').click();
  await page.getByTestId('who-user').waitFor({ timeout: 15_000 });
}

export interface AxeProblem {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** axe-core on the page as it is now: the serious and critical violations (none is the goal). */
export async function seriousAxeViolations(page: Page): Promise<AxeProblem[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({ id: violation.id, impact: violation.impact ?? '', help: violation.help, targets: violation.nodes.map((node) => node.target.join(' ')) }));
}

/** A screenshot of the page to docs/console-<name>.png (the README shows the committed ones). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(repoRoot, 'docs', `console-${name}.png`);
  await mkdir(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/**
 * Pastes `text` into the CodeMirror editor inside `editorHost` (a real paste event with the text
 * on its clipboard, as Ctrl+V gives; `replace` selects everything first).
 */
export async function pasteIntoEditor(page: Page, editorHost: string, text: string, replace = true): Promise<void> {
  const content = page.locator(`${editorHost} .cm-content`);
  await content.click();
  if (replace) await page.keyboard.press('ControlOrMeta+A');
  await content.evaluate((element, pasted) => {
    const data = new DataTransfer();
    data.setData('text/plain', pasted);
    element.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

/** The text of the CodeMirror editor inside `editorHost`, line by line. */
export async function editorText(page: Page, editorHost: string): Promise<string> {
  return page.locator(`${editorHost} .cm-content`).evaluate((element) => [...element.querySelectorAll('.cm-line')].map((line) => line.textContent ?? '').join('\n'));
}
