/**
 * Writes docs/report-host-maggie.png: the first screen (1366×900) of a report in headless
 * chromium. `npx tsx test/report/make-screenshot.ts [analysis.json] [out.png]`: from a real
 * analysis (e.g. `espy analyze samples/host-maggie`), else from the Maggie fixture.
 * Not a test (it writes into docs/); run by hand when the report's look changes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadReportTemplates } from '../../cli/report-output.js';
import type { AnalysisResult } from '../../detection/analysis-result.js';
import { renderReport } from '../../report-templates/index.js';
import { REPO_ROOT } from '../support/paths.js';
import { launchChromium, openReport, reportDir } from './browser.js';
import { maggieResult } from './fixtures.js';

const [analysisPath, outArg] = process.argv.slice(2);
const result = analysisPath ? (JSON.parse(readFileSync(analysisPath, 'utf8')) as AnalysisResult) : maggieResult();
const out = outArg ?? join(REPO_ROOT, 'docs', 'report-host-maggie.png');
const files = reportDir();
const browser = await launchChromium();
try {
  const path = files.write('report.html', renderReport(result, loadReportTemplates(), { generatedAt: result.generatedAt }));
  const { page, problems, close } = await openReport(browser, path);
  await page.screenshot({ path: out });
  await close();
  const bad = Object.values(problems).flat();
  if (bad.length > 0) throw new Error(`report problems: ${bad.join('; ')}`);
  console.log(`wrote ${out} (${analysisPath ? `from ${analysisPath}` : 'from the Maggie fixture'})`);
} finally {
  await browser.close();
  files.cleanup();
}
