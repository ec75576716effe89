/**
 * The real thing: `espy analyze` over the three sample hosts in one run (so it also writes
 * fleet.html), then every report opened in chromium. No skip: the samples and the command
 * must exist. Expected verdicts as samples/README.md gives them: host-maggie and
 * host-renamed COMPROMISED, host-clean NO_INDICATORS.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram, loadCommands } from '../../cli/program.js';
import type { AnalysisResult } from '../../detection/analysis-result.js';
import { runCli } from '../support/cli.js';
import { requireOracle } from '../support/oracles.js';
import { SAMPLES } from '../support/paths.js';
import { launchChromium, openReport } from './browser.js';

const HOSTS = [
  { folder: 'host-maggie', verdict: 'COMPROMISED', label: 'COMPROMISED', mustShow: /ExtendedProcedure\.dll|maggie/ },
  { folder: 'host-clean', verdict: 'NO_INDICATORS', label: 'NO INDICATORS FOUND', mustShow: /not proof that the host is clean/ },
  { folder: 'host-renamed', verdict: 'COMPROMISED', label: 'COMPROMISED', mustShow: /dbmaint64\.dll|xp_dbmaint/ },
] as const;

interface HostOut {
  host: string;
  verdict: string;
  report: string;
  analysis: string;
}

describe('reports of the sample hosts (espy analyze)', () => {
  it('has the sample hosts and the analyze command', async () => {
    for (const h of HOSTS) expect(existsSync(join(SAMPLES, h.folder)), h.folder).toBe(true);
    const program = buildProgram(
      () => {
        throw new Error('not used');
      },
      await loadCommands([]),
    );
    expect(program.commands.map((c) => c.name())).toContain('analyze');
  });

  let out = '';
  const byFolder = new Map<string, HostOut>();
  let fleet = '';
  let browser: Browser | undefined;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'espy-samples-report-'));
    const run = await runCli(['--json', 'analyze', ...HOSTS.map((h) => join(SAMPLES, h.folder)), '--out', out]);
    if (run.code !== 0 && run.code !== 3) throw new Error(`espy analyze exited ${run.code}: ${run.stderr}`);
    const res = JSON.parse(run.stdout) as { hosts: (HostOut & { source: string })[]; fleet?: string };
    for (const h of res.hosts) byFolder.set(h.source.split(/[\\/]/).pop() ?? '', h);
    fleet = res.fleet ?? '';
    if (requireOracle('chromium')) browser = await launchChromium();
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it.each(HOSTS)('$folder: verdict $verdict and the report files beside analysis.json', (h) => {
    const host = byFolder.get(h.folder);
    expect(host).toBeDefined();
    expect(host?.verdict).toBe(h.verdict);
    const dir = dirname(host?.report ?? '');
    for (const f of ['analysis.json', 'report.html', 'findings.csv', 'timeline.csv', 'timeline.jsonl', 'summary.md']) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    const result = JSON.parse(readFileSync(join(dir, 'analysis.json'), 'utf8')) as AnalysisResult;
    const lines = readFileSync(join(dir, 'timeline.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(result.timeline.length);
    for (const line of lines) {
      const o = JSON.parse(line) as Record<string, unknown>;
      expect(typeof o.message).toBe('string');
      expect(o.datetime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
      expect(typeof o.timestamp_desc).toBe('string');
      expect(o.timestamp_invalid).toBeUndefined();
    }
    const csv = readFileSync(join(dir, 'timeline.csv'), 'utf8');
    expect(csv.split('\r\n').filter(Boolean).length).toBeGreaterThanOrEqual(result.timeline.length + 1);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain(h.label);
  });

  it.each(HOSTS)('$folder: the report opens cleanly with the verdict and key evidence on the first screen', async (h) => {
    if (!browser) return;
    const host = byFolder.get(h.folder);
    const { page, problems, close } = await openReport(browser, host?.report ?? '');
    try {
      expect(await page.locator('#verdict').textContent()).toBe(h.label);
      const first = await page.evaluate(
        "(function () { var out = []; document.querySelectorAll('#top, #affected p, #affected li').forEach(function (e) { var r = e.getBoundingClientRect(); if (r.top < 900 && r.height > 0) out.push(e.innerText); }); return out.join('\\n'); })()",
      );
      expect(first).toMatch(h.mustShow);
      if (h.verdict === 'COMPROMISED') {
        const items = page.locator('.key-evidence > li');
        expect(await items.count()).toBeGreaterThanOrEqual(3);
        const box = await items.first().boundingBox();
        expect(box && box.y).toBeLessThan(900);
      }
      expect(problems).toEqual({ consoleErrors: [], pageErrors: [], requests: [], dialogs: [], cspViolations: [] });
    } finally {
      await close();
    }
  });

  it('fleet.html lists the three hosts, worst first, with working links', async () => {
    expect(fleet).not.toBe('');
    const doc = readFileSync(fleet, 'utf8');
    const hrefs = [...doc.matchAll(/<a href="([^"#]+)">report<\/a>/g)].map((m) => m[1] ?? '');
    expect(hrefs).toHaveLength(3);
    for (const href of hrefs) expect(existsSync(resolve(dirname(fleet), decodeURIComponent(href)))).toBe(true);
    const rows = doc.slice(doc.indexOf('<tbody>')).split('<tr').slice(1);
    expect(rows.map((r) => /v-(compromised|suspicious|clean)/.exec(r)?.[1])).toEqual(['compromised', 'compromised', 'clean']);
    if (!browser) return;
    const { page, problems, close } = await openReport(browser, fleet);
    try {
      expect(await page.locator('#fleet-table tbody tr').count()).toBe(3);
      expect(problems).toEqual({ consoleErrors: [], pageErrors: [], requests: [], dialogs: [], cspViolations: [] });
    } finally {
      await close();
    }
  });
});
