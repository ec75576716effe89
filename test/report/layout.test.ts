/**
 * The layout a responder reads, on the real sample hosts (`espy analyze` over each, then
 * chromium at 1400 and 800 px wide, 900 px tall): nothing wider than the window, no table
 * row taller than 400 px, the decisive part of every key evidence whole and on the first
 * screen, and the Maggie report no taller than 10,000 px at 1400 px.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../detection/analysis-result.js';
import { runCli } from '../support/cli.js';
import { requireOracle } from '../support/oracles.js';
import { SAMPLES } from '../support/paths.js';
import { launchChromium, openReport } from './browser.js';

const HOSTS = ['host-maggie', 'host-renamed', 'host-clean'] as const;
const WIDTHS = [1400, 800] as const;
const SCREEN_HEIGHT_PX = 900;
const MAX_ROW_HEIGHT_PX = 400;
const MAX_MAGGIE_HEIGHT_PX = 10_000;

const HAVE_CHROMIUM = requireOracle('chromium');

interface Layout {
  pageHeight: number;
  scrollWidth: number;
  clientWidth: number;
  tallRows: { table: string; height: number; text: string }[];
  /** Each key evidence: its finding, the text shown as decisive (or the whole excerpt), where it ends. */
  keyEvidence: { finding: string; shown: string; bottom: number; text: string }[];
}

/** Measures the page in the browser (plain ES5 text: it runs inside the report's page). */
async function measure(page: Page): Promise<Layout> {
  return (await page.evaluate(`(function () {
    var d = document.documentElement;
    var rows = Array.prototype.slice.call(document.querySelectorAll('table tr'));
    var tall = rows.map(function (r) {
      var t = r.closest('table');
      return { table: t ? t.id : '', height: r.getBoundingClientRect().height, text: r.textContent.slice(0, 80) };
    }).filter(function (x) { return x.height > ${MAX_ROW_HEIGHT_PX}; });
    var items = Array.prototype.slice.call(document.querySelectorAll('.key-evidence > li'));
    var key = items.map(function (li) {
      var a = li.querySelector('a[href^="#finding-"]');
      var dec = li.querySelector('code.decisive') || li.querySelector('code.whole');
      var box = (dec || li).getBoundingClientRect();
      return { finding: a ? a.getAttribute('href').slice(9) : '', shown: dec ? dec.textContent : '', bottom: box.bottom + window.scrollY, text: li.textContent };
    });
    return { pageHeight: d.scrollHeight, scrollWidth: d.scrollWidth, clientWidth: d.clientWidth, tallRows: tall, keyEvidence: key };
  })()`)) as Layout;
}

describe.skipIf(!HAVE_CHROMIUM)('report layout of the sample hosts in chromium', () => {
  let out = '';
  let browser: Browser;
  const results = new Map<string, { report: string; analysis: AnalysisResult }>();

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'espy-layout-'));
    for (const host of HOSTS) {
      const dir = join(out, host);
      const run = await runCli(['--json', 'analyze', join(SAMPLES, host), '--out', dir]);
      if (run.code !== 0 && run.code !== 3) throw new Error(`espy analyze ${host} exited ${run.code}: ${run.stderr}`);
      results.set(host, { report: join(dir, 'report.html'), analysis: JSON.parse(readFileSync(join(dir, 'analysis.json'), 'utf8')) as AnalysisResult });
    }
    browser = await launchChromium();
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  const cases = HOSTS.flatMap((host) => WIDTHS.map((width) => [host, width] as const));
  it.each(cases)('%s at %i px: no horizontal overflow, no row over 400 px, key evidence decisive and on the first screen', async (host, width) => {
    const res = results.get(host);
    if (!res) throw new Error(`no analysis of ${host}`);
    const { page, problems, close } = await openReport(browser, res.report, { viewport: { width, height: SCREEN_HEIGHT_PX } });
    try {
      const m = await measure(page);
      expect(m.scrollWidth, 'page wider than the window').toBeLessThanOrEqual(m.clientWidth);
      expect(m.tallRows).toEqual([]);
      if (host === 'host-maggie' && width === 1400) expect(m.pageHeight).toBeLessThanOrEqual(MAX_MAGGIE_HEIGHT_PX);
      if (res.analysis.verdict.verdict === 'COMPROMISED') expect(m.keyEvidence.length).toBeGreaterThanOrEqual(3);
      for (const [i, k] of m.keyEvidence.entries()) {
        const finding = res.analysis.findings.find((f) => f.id === k.finding);
        expect(finding, k.finding).toBeDefined();
        // The decisive part (or, without one, the whole excerpt) exactly as the analysis has
        // it: never cut to a length.
        const decisive = (finding?.evidence ?? []).map((e) => e.decisive ?? e.excerpt);
        expect(decisive, k.text).toContain(k.shown);
        // On the first screen: every one at 1400 px; at 800 px the banner and the reasons
        // wrap, so the first one.
        if (width === 1400 || i === 0) expect(k.bottom, `${k.finding}: decisive text below the first screen`).toBeLessThanOrEqual(SCREEN_HEIGHT_PX);
      }
      if (host === 'host-maggie') {
        const command = m.keyEvidence.find((k) => k.shown.includes('CommandLine='));
        expect(command?.shown).toMatch(/certutil -urlcache .*ExtendedProcedure\.dll/);
        expect(m.keyEvidence.some((k) => k.shown === 'C:\\ProgramData\\ExtendedProcedure.dll')).toBe(true);
      }
      expect(problems).toEqual({ consoleErrors: [], pageErrors: [], requests: [], dialogs: [], cspViolations: [] });
    } finally {
      await close();
    }
  });
});
