import type { Command } from 'commander';
import type { CliContext } from './context.js';

/** A command module's export: builds its commander Command; `ctx()` is valid inside actions. */
export type CommandFactory = (ctx: () => CliContext) => Command;

/**
 * What the top-level help shows of each command, in help order, without loading it: the
 * command modules import the collector, YARA (wasm), Sigma, zod and the report, which takes
 * most of a second; `espy --help` and `espy --version` need none of it. A test checks that
 * these lines match the real commands.
 */
export const COMMAND_SUMMARIES: readonly { name: string; term: string; description: string }[] = [
  {
    name: 'collect',
    term: 'collect [options]',
    description: 'collect the evidence of a host (live, or an image/KAPE/Velociraptor folder) into a verifiable bundle, then analyse it',
  },
  {
    name: 'analyze',
    term: 'analyze [options] <source...>',
    description: 'analyse evidence (an espy bundle .zip or folder, a mounted image, a KAPE or Velociraptor collection, a sample host) and write analysis.json and the report',
  },
  { name: 'verify', term: 'verify [options] <bundle>', description: 'check an evidence bundle: every hash against manifest.json and the bundle against its .sha256 sidecar' },
  { name: 'hunt', term: 'hunt [options] [paths...]', description: "run Sigma rules over EVTX files, ERRORLOGs and folders (default: espy's MSSQL rule pack)" },
  { name: 'scan', term: 'scan [options] <path...>', description: 'classify files (PE, ESP DLL, location, signer, suspicion) and run YARA rules over them' },
  { name: 'evtx', term: 'evtx', description: 'read Windows event logs (.evtx): dump records, summarise files' },
  { name: 'baseline', term: 'baseline', description: 'known-good ESP inventories: `--baseline FILE` on analyze/collect flags every ESP not in one' },
  { name: 'sql-script', term: 'sql-script [options]', description: "print espy's read-only triage T-SQL (SQL Server 2008 R2 to 2022) to run on the host" },
];
