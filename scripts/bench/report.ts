/**
 * `npm run bench:report`: a generated AnalysisResult with N timeline rows (default 100,000;
 * `--rows N`) → renderReport → open in headless Debian chromium. Prints render time, file
 * size, time to the load event and time until the timeline is interactive (first page drawn
 * from the JSON data block), side by side with a naive peer: the same rows as one plain
 * server-rendered HTML table (what a report without paging does). Timing is printed, never
 * asserted.
 */
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadReportTemplates } from '../../cli/report-output.js';
import { escapeText } from '../../report-templates/html.js';
import { renderReport } from '../../report-templates/index.js';
import { launchChromium, openReport, reportDir } from '../../test/report/browser.js';
import { bigResult } from '../../test/report/fixtures.js';
import type { AnalysisResult } from '../../detection/analysis-result.js';
import { hasOracle } from '../../test/support/oracles.js';

function argRows(argv: string[]): number {
  const i = argv.indexOf('--rows');
  const n = i >= 0 ? Number(argv[i + 1]) : 100_000;
  if (!Number.isInteger(n) || n < 1) throw new Error('--rows needs a positive integer');
  return n;
}

/** The peer: every timeline row as a plain HTML table row, no data block, no script. */
function renderNaive(r: AnalysisResult): string {
  const rows = r.timeline.map(
    (e) =>
      `<tr><td>${escapeText(e.timestamp)}</td><td>${escapeText(e.localTime ?? '')}</td><td>${escapeText(e.source)}</td><td>${e.eventId ?? ''}</td><td>${escapeText(e.severity ?? '')}</td><td>${escapeText(e.message)}</td><td>${escapeText(e.ruleIds.join(', '))}</td><td>${escapeText(e.ref.artefact)}</td></tr>`,
  );
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>naive</title></head><body><h1>${escapeText(r.host.name)}</h1><table><tbody>${rows.join('\n')}</tbody></table></body></html>`;
}

const MB = 1024 * 1024;
const PEER_TIMEOUT_MS = 60_000;
const fmt = (ms: number): string => `${ms.toFixed(0)} ms`;

async function main(): Promise<void> {
  const n = argRows(process.argv.slice(2));
  if (!hasOracle('chromium')) throw new Error('/usr/bin/chromium is required (apt-get install chromium)');
  const templates = loadReportTemplates();
  const result = bigResult(n);
  const files = reportDir();
  try {
    const t0 = performance.now();
    const html = renderReport(result, templates, { generatedAt: '2026-03-20T09:01:00.000Z' });
    const renderMs = performance.now() - t0;
    const espyPath = files.write('report.html', html);
    const t1 = performance.now();
    const naive = renderNaive(result);
    const naiveRenderMs = performance.now() - t1;
    const naivePath = files.write('naive.html', naive);

    const browser = await launchChromium();
    try {
      // Warm the browser once so neither side pays process start-up.
      await (await openReport(browser, naivePath.replace('naive.html', 'report.html'))).close();
      const espy = await openReport(browser, espyPath);
      const tInteractive = performance.now();
      await espy.page.waitForFunction("(document.getElementById('tl-status') || {}).textContent !== ''", undefined, { timeout: 120_000 });
      const interactiveMs = espy.loadMs + (performance.now() - tInteractive);
      const problems = Object.values(espy.problems).flat();
      await espy.close();
      let peerLoadMs = Number.NaN;
      try {
        const peer = await openReport(browser, naivePath, {}, PEER_TIMEOUT_MS);
        peerLoadMs = peer.loadMs;
        await peer.close();
      } catch {
        // The naive table did not reach its load event in time: reported as such below.
      }

      const espySize = statSync(espyPath).size;
      const naiveSize = statSync(naivePath).size;
      console.log(`report benchmark: ${n} timeline rows (generated AnalysisResult, host ${result.host.name})`);
      console.log('');
      console.log('                      espy report     naive table     ratio (espy/naive)');
      console.log(`render (node)         ${fmt(renderMs).padEnd(16)}${fmt(naiveRenderMs).padEnd(16)}${(renderMs / naiveRenderMs).toFixed(2)}`);
      console.log(`file size             ${`${(espySize / MB).toFixed(1)} MiB`.padEnd(16)}${`${(naiveSize / MB).toFixed(1)} MiB`.padEnd(16)}${(espySize / naiveSize).toFixed(2)}`);
      const peerText = Number.isNaN(peerLoadMs) ? `>${PEER_TIMEOUT_MS / 1000} s` : fmt(peerLoadMs);
      const loadRatio = Number.isNaN(peerLoadMs) ? `<${(espy.loadMs / PEER_TIMEOUT_MS).toFixed(3)}` : (espy.loadMs / peerLoadMs).toFixed(2);
      console.log(`load event (chromium) ${fmt(espy.loadMs).padEnd(16)}${peerText.padEnd(16)}${loadRatio}`);
      console.log(`timeline interactive  ${fmt(interactiveMs).padEnd(16)}${'n/a (no paging)'.padEnd(16)}`);
      console.log(`bytes per row         ${(espySize / n).toFixed(0).padEnd(16)}${(naiveSize / n).toFixed(0).padEnd(16)}`);
      if (problems.length > 0) console.log(`PROBLEMS in the espy report: ${problems.join('; ')}`);
    } finally {
      await browser.close();
    }
  } finally {
    files.cleanup();
  }
}

await main();
