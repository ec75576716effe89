/**
 * Headless Debian chromium through playwright-core, for the report tests, the report
 * benchmark and the screenshot script. Every page records what must never happen in a
 * report: console errors, page errors, network requests, dialogs and CSP violations.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { ORACLES } from '../support/oracles.js';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];

/** Launches chromium with a fresh profile in os.tmpdir() (playwright creates and removes it). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: ORACLES.chromium, args: CHROMIUM_ARGS });
}

export interface Problems {
  consoleErrors: string[];
  pageErrors: string[];
  requests: string[];
  dialogs: string[];
  cspViolations: string[];
}

export function noProblems(p: Problems): boolean {
  return Object.values(p).every((v: string[]) => v.length === 0);
}

/** A folder in os.tmpdir() for report files; `cleanup()` removes it. */
export function reportDir(): { dir: string; write(name: string, html: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'espy-browser-'));
  return {
    dir,
    write(name, html) {
      const p = join(dir, name);
      writeFileSync(p, html);
      return p;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Opens a report file in a new context; returns the page and the live problem lists. */
export async function openReport(
  browser: Browser,
  path: string,
  opts: BrowserContextOptions = {},
  timeoutMs = 30_000,
): Promise<{ page: Page; problems: Problems; loadMs: number; close(): Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, ...opts });
  const page = await context.newPage();
  const problems: Problems = { consoleErrors: [], pageErrors: [], requests: [], dialogs: [], cspViolations: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') problems.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => problems.pageErrors.push(e.message));
  page.on('dialog', (d) => {
    problems.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  context.on('request', (r) => {
    if (!r.url().startsWith('file:')) problems.requests.push(r.url());
  });
  await context.exposeFunction('__espyCsp', (v: string) => problems.cspViolations.push(v));
  // Init scripts come from the test harness, not the page: CSP does not apply to them.
  await context.addInitScript({
    content: "document.addEventListener('securitypolicyviolation', function (e) { window.__espyCsp(e.violatedDirective + ' ' + e.blockedURI); });",
  });
  const t0 = performance.now();
  await page.goto(pathToFileURL(path).href, { waitUntil: 'load', timeout: timeoutMs });
  const loadMs = performance.now() - t0;
  return { page, problems, loadMs, close: () => context.close() };
}
