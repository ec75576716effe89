/**
 * Screenshots of the report's first screen in headless chromium, committed under docs/ so
 * that changes to the report's look are reviewed. Not a test (it writes into docs/); run by
 * hand when the report's look changes:
 *
 *   npx tsx test/report/make-screenshot.ts
 *     → docs/report-<host>-<width>.png: `espy analyze` over each sample host, 1400 and 800 px
 *       wide, 900 px tall (the checks on the same pages are in layout.test.ts);
 *   npx tsx test/report/make-screenshot.ts analysis.json out.png
 *     → one 1366×900 screenshot of an existing analysis.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadReportTemplates } from '../../cli/report-output.js';
import type { AnalysisResult } from '../../detection/analysis-result.js';
import { renderReport } from '../../report-templates/index.js';
import { runCli } from '../support/cli.js';
import { REPO_ROOT, SAMPLES } from '../support/paths.js';
import { launchChromium, openReport, reportDir } from './browser.js';

const HOSTS = ['host-maggie', 'host-renamed', 'host-clean'] as const;
const WIDTHS = [1400, 800] as const;
const SCREEN_HEIGHT_PX = 900;

const [analysisPath, outArg] = process.argv.slice(2);
const browser = await launchChromium();
const files = reportDir();
try {
  const shoot = async (report: string, out: string, width: number): Promise<void> => {
    const { page, problems, close } = await openReport(browser, report, { viewport: { width, height: SCREEN_HEIGHT_PX } });
    await page.screenshot({ path: out });
    await close();
    const bad = Object.values(problems).flat();
    if (bad.length > 0) throw new Error(`report problems: ${bad.join('; ')}`);
    console.log(`wrote ${out}`);
  };
  if (analysisPath) {
    const result = JSON.parse(readFileSync(analysisPath, 'utf8')) as AnalysisResult;
    const path = files.write('report.html', renderReport(result, loadReportTemplates(), { generatedAt: result.generatedAt }));
    await shoot(path, outArg ?? join(REPO_ROOT, 'docs', 'report.png'), 1366);
  } else {
    const out = mkdtempSync(join(tmpdir(), 'espy-screens-'));
    try {
      for (const host of HOSTS) {
        const dir = join(out, host);
        // Relative to the checkout (runCli's cwd), so the pictured command line is the same on every machine.
        const run = await runCli(['analyze', relative(REPO_ROOT, join(SAMPLES, host)), '--out', dir]);
        if (run.code !== 0 && run.code !== 3) throw new Error(`espy analyze ${host} exited ${run.code}: ${run.stderr}`);
        for (const width of WIDTHS) await shoot(join(dir, 'report.html'), join(REPO_ROOT, 'docs', `report-${host}-${width}.png`), width);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
} finally {
  await browser.close();
  files.cleanup();
}
