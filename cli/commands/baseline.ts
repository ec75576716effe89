import { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createBaseline } from '../../detection/baseline.js';
import type { CommandFactory } from '../command.js';
import { parseAnalyzeArgs, runAnalyzeResults } from './analyze.js';
import { revealControls } from '../terminal-text.js';

/** `espy baseline create SOURCE -o baseline.json`: a known-good ESP inventory. */
export const baselineCommand: CommandFactory = (ctx) => {
  const cmd = new Command('baseline').description('known-good ESP inventories: `--baseline FILE` on analyze/collect flags every ESP not in one');
  cmd
    .command('create')
    .description('analyse a trusted host (or bundle) and write its ESP inventory as a baseline')
    .argument('<source>', 'a bundle, folder or sample host in a known-good state')
    .requiredOption('-o, --output <file>', 'where to write the baseline JSON')
    .option('--sql-export <dir>', 'folder of SQL exports of the server')
    .action(async (source: string, raw: { output: string; sqlExport?: string }) => {
      const c = ctx();
      const args = parseAnalyzeArgs([source], { ...(raw.sqlExport ? { sqlExport: raw.sqlExport } : {}) });
      const [result] = await runAnalyzeResults(args, c);
      if (!result) return;
      const baseline = createBaseline(result, new Date().toISOString());
      const path = resolve(c.cwd, raw.output);
      await writeFile(path, `${JSON.stringify(baseline, null, 2)}\n`, 'utf8');
      const suspicious = result.esps.filter((e) => e.suspicion === 'malicious' || e.suspicion === 'suspicious');
      if (suspicious.length > 0) {
        c.log.warn(`the source has ${suspicious.length} malicious or suspicious ESP(s); they are in the baseline too: ${suspicious.map((e) => e.dll).join(', ')}`);
      }
      if (c.json) c.stdout.write(`${JSON.stringify({ baseline: path, esps: baseline.esps.length, verdict: result.verdict.verdict })}\n`);
      else c.stdout.write(revealControls(`baseline: ${path} (${baseline.esps.length} ESP procedure(s) from ${result.host.name}, verdict ${result.verdict.verdict})\n`));
    });
  return cmd;
};
