/**
 * The report in a real browser (Debian chromium via playwright-core): opens with no console
 * error, no network request and no CSP violation; the verdict and key evidence are on the
 * first screen; tables sort and filter; the timeline pages and filters; the print view and
 * PDF render; XSS payloads stay inert; the page reads with JavaScript off.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderFleet, renderReport } from '../../report-templates/index.js';
import { requireOracle } from '../support/oracles.js';
import { launchChromium, noProblems, openReport, reportDir } from './browser.js';
import { bigResult, cleanResult, maggieResult, xssResult } from './fixtures.js';
import { GENERATED_AT, TEMPLATES } from './templates.js';

const HAVE_CHROMIUM = requireOracle('chromium');
const files = reportDir();
let browser: Browser;

const bigRows = bigResult(2000).timeline;
const paths = {
  maggie: files.write('maggie.html', renderReport(maggieResult(), TEMPLATES, { generatedAt: GENERATED_AT })),
  clean: files.write('clean.html', renderReport(cleanResult(), TEMPLATES, { generatedAt: GENERATED_AT })),
  xss: files.write('xss.html', renderReport(xssResult(), TEMPLATES, { generatedAt: GENERATED_AT })),
  big: files.write('big.html', renderReport(bigResult(2000), TEMPLATES, { generatedAt: GENERATED_AT })),
};

/** Texts of the cells of one column of a table's visible body rows. */
async function column(page: Page, tableId: string, col: number): Promise<string[]> {
  return (await page.evaluate(
    `Array.from(document.querySelectorAll('#${tableId} tbody tr')).filter(function (r) { return !r.hidden; }).map(function (r) { return r.cells[${col}].textContent; })`,
  )) as string[];
}

describe.skipIf(!HAVE_CHROMIUM)('report in chromium', () => {
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    files.cleanup();
  });

  it.each([
    ['maggie', 'COMPROMISED'],
    ['clean', 'NO INDICATORS FOUND'],
  ] as const)('%s: opens cleanly with the verdict and key evidence on the first screen', async (name, verdict) => {
    const { page, problems, close } = await openReport(browser, paths[name]);
    try {
      const v = page.locator('#verdict');
      await expect.poll(() => v.isVisible()).toBe(true);
      expect(await v.textContent()).toBe(verdict);
      const box = await v.boundingBox();
      expect(box && box.y + box.height).toBeLessThan(900);
      if (name === 'maggie') {
        const items = page.locator('.key-evidence > li');
        expect(await items.count()).toBe(5);
        const first = await items.first().boundingBox();
        expect(first && first.y + first.height).toBeLessThan(900);
        expect(await items.first().textContent()).toContain('Application.evtx, record 4711');
      }
      expect(await page.evaluate('document.documentElement.classList.contains("js")')).toBe(true);
      expect(problems).toEqual({ consoleErrors: [], pageErrors: [], requests: [], dialogs: [], cspViolations: [] });
    } finally {
      await close();
    }
  });

  it('sorts and filters the server-rendered tables', async () => {
    const { page, problems, close } = await openReport(browser, paths.maggie);
    try {
      const before = await column(page, 'login-table', 0);
      expect(before[0]).toBe('sqlbackup');
      await page.locator('#login-table thead th').first().locator('button').click();
      const asc = await column(page, 'login-table', 0);
      expect(asc).toEqual([...before].sort());
      expect(await page.locator('#login-table thead th').first().getAttribute('aria-sort')).toBe('ascending');
      await page.locator('#login-table thead th').first().locator('button').click();
      expect(await column(page, 'login-table', 0)).toEqual([...before].sort().reverse());
      const filter = page.locator('input.table-filter[aria-controls="login-table"]');
      await filter.fill('backup');
      expect(await column(page, 'login-table', 0)).toEqual(['sqlbackup']);
      await filter.fill('');
      expect(await column(page, 'login-table', 0)).toHaveLength(before.length);
      expect(noProblems(problems)).toBe(true);
    } finally {
      await close();
    }
  });

  it('pages, filters, searches and sorts a 2000-row timeline', async () => {
    const { page, problems, close } = await openReport(browser, paths.big);
    try {
      const status = page.locator('#tl-status');
      expect(await page.locator('#tl-controls').isVisible()).toBe(true);
      expect(await status.textContent()).toBe('events 1–100 of 2000, page 1 of 20');
      expect(await page.locator('#timeline-body tr').count()).toBe(100);
      await page.locator('#tl-next').click();
      expect(await status.textContent()).toBe('events 101–200 of 2000, page 2 of 20');
      expect((await column(page, 'timeline-table', 0))[0]).toBe('2026-03-01 00:01:40.0000000Z');
      await page.locator('#tl-source').selectOption('ERRORLOG');
      expect(await status.textContent()).toBe('events 1–100 of 400 matching (2000 in total), page 1 of 4');
      expect(new Set(await column(page, 'timeline-table', 2))).toEqual(new Set(['ERRORLOG']));
      expect((await column(page, 'timeline-table', 7))[0]).toMatch(/ERRORLOG, line \d+$/);
      await page.locator('#tl-source').selectOption('');
      await page.locator('#tl-severity').selectOption('high');
      const sev = new Set(await column(page, 'timeline-table', 4));
      expect(sev).toEqual(new Set(['high', 'critical']));
      await page.locator('#tl-severity').selectOption('');
      const hits = bigRows.filter((e) => e.message.includes('203.0.113.248]')).length;
      expect(hits).toBe(4);
      await page.locator('#tl-search').fill('203.0.113.248]');
      await expect.poll(() => status.textContent()).toBe(`events 1–4 of 4 matching (2000 in total), page 1 of 1`);
      await page.locator('#tl-search').fill('');
      await expect.poll(() => status.textContent()).toBe('events 1–100 of 2000, page 1 of 20');
      await page.locator('#timeline-table thead th').first().locator('button').click(); // ascending (already)
      await page.locator('#timeline-table thead th').first().locator('button').click(); // descending
      expect((await column(page, 'timeline-table', 0))[0]).toBe('2026-03-01 00:33:19.0000000Z');
      expect(noProblems(problems)).toBe(true);
    } finally {
      await close();
    }
  });

  it('renders the print view and a PDF', async () => {
    const r = maggieResult();
    const f = r.findings[2]!;
    f.evidence = Array.from({ length: 15 }, (_, i) => ({ ...f.evidence[0]!, line: 500 + i }));
    const path = files.write('print.html', renderReport(r, TEMPLATES, { generatedAt: GENERATED_AT }));
    const { page, problems, close } = await openReport(browser, path);
    try {
      const lastRow = page.locator(`#ev-${f.id} tbody tr`).last();
      expect(await lastRow.isVisible()).toBe(false); // more than 10 items: collapsed on screen
      await page.emulateMedia({ media: 'print' });
      expect(await lastRow.isVisible()).toBe(true); // printed in full
      expect(await page.locator('nav.toc').isVisible()).toBe(false);
      expect(await page.locator('#verdict').isVisible()).toBe(true);
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
      expect(pdf.length).toBeGreaterThan(10_000);
      expect(noProblems(problems)).toBe(true);
    } finally {
      await close();
    }
  });

  it('keeps XSS payloads inert: no dialog, no script, no handler, no CSP violation', async () => {
    const { page, problems, close } = await openReport(browser, paths.xss);
    try {
      // Fire the events an injected handler could wait for (not click: real links would navigate), then look at the DOM.
      await page.evaluate(
        "Array.from(document.querySelectorAll('*')).forEach(function (e) { ['mouseover', 'mouseenter', 'focus'].forEach(function (t) { try { e.dispatchEvent(new MouseEvent(t, { bubbles: true })); } catch (x) {} }); })",
      );
      await page.locator('#tl-search').fill('onerror');
      await page.waitForTimeout(300);
      const dom = (await page.evaluate(`({
        scripts: document.querySelectorAll('script').length,
        injected: document.querySelectorAll('img, svg, iframe, object, embed, body script:not(#timeline-data) ~ script, style ~ style').length,
        handlers: Array.from(document.querySelectorAll('*')).filter(function (e) { return Array.from(e.attributes).some(function (a) { return /^on/i.test(a.name); }); }).length,
        jsLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
        rtl: document.body.innerText.indexOf('\\u202E'),
        marked: document.querySelectorAll('.cc').length,
      })`)) as Record<string, number>;
      expect(dom).toMatchObject({ scripts: 2, injected: 0, handlers: 0, jsLinks: 0, rtl: -1 });
      expect(dom.marked).toBeGreaterThan(10);
      expect(await page.locator('#verdict').textContent()).toBe('COMPROMISED');
      expect(problems).toEqual({ consoleErrors: [], pageErrors: [], requests: [], dialogs: [], cspViolations: [] });
    } finally {
      await close();
    }
  });

  it('the CSP still blocks injected markup if escaping ever failed', async () => {
    const doc = renderReport(maggieResult(), TEMPLATES, { generatedAt: GENERATED_AT }).replace(
      '<main>',
      '<main><img src="x" onerror="alert(1)"><script>alert(2)</script><p style="color:red" onmouseover="alert(3)">x</p>',
    );
    const { page, problems, close } = await openReport(browser, files.write('broken.html', doc));
    try {
      await page.locator('main > p').first().hover();
      await page.waitForTimeout(100);
      expect(problems.dialogs).toEqual([]);
      expect(problems.cspViolations.length).toBeGreaterThanOrEqual(2);
      expect(problems.requests).toEqual([]);
    } finally {
      await close();
    }
  });

  it('reads with JavaScript off: server-rendered rows, no controls', async () => {
    const { page, problems, close } = await openReport(browser, paths.big, { javaScriptEnabled: false });
    try {
      expect(await page.locator('#verdict').textContent()).toBe('COMPROMISED');
      expect(await page.locator('#timeline-body tr').count()).toBe(500);
      expect(await page.locator('#tl-controls').isVisible()).toBe(false);
      expect(await page.locator('#tl-truncated').isVisible()).toBe(true);
      expect(await page.locator('#esp-table tbody tr').count()).toBe(2);
      expect(noProblems(problems)).toBe(true);
    } finally {
      await close();
    }
  });

  it('fleet page opens cleanly and links to host reports', async () => {
    const fleet = renderFleet(
      [
        { result: cleanResult(), reportHref: 'clean.html' },
        { result: maggieResult(), reportHref: 'maggie.html' },
        { result: xssResult(), reportHref: 'javascript:alert(1)' },
      ],
      TEMPLATES,
      { generatedAt: GENERATED_AT, espyVersion: '0.1.0' },
    );
    const { page, problems, close } = await openReport(browser, files.write('fleet.html', fleet));
    try {
      expect(await page.locator('#fleet-table tbody tr').count()).toBe(3);
      await page.locator('#fleet-table a', { hasText: 'report' }).first().click();
      await expect.poll(() => page.url()).toMatch(/maggie\.html$/);
      expect(await page.locator('#verdict').textContent()).toBe('COMPROMISED');
      expect(noProblems(problems)).toBe(true);
    } finally {
      await close();
    }
  });
});
