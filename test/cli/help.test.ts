/**
 * The top-level help is built from command.ts's summaries without loading the command
 * modules; the summaries must say exactly what the real commands say.
 */
import { Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_SUMMARIES } from '../../cli/command.js';
import { EXIT } from '../../cli/exit-codes.js';
import { buildProgram, loadCommands } from '../../cli/program.js';
import { runCli } from '../support/cli.js';

const notUsed = (): never => {
  throw new Error('not used');
};

describe('top-level help from the command summaries', () => {
  it.each(COMMAND_SUMMARIES.map((s) => [s.name, s] as const))('%s: the summary matches the real command', async (name, s) => {
    const program = buildProgram(notUsed, await loadCommands(['node', 'espy', name]));
    const real = program.commands.find((c) => c.name() === name);
    expect(real, name).toBeDefined();
    if (!real) return;
    expect(s.description).toBe(real.description());
    expect(s.term).toBe(new Help().subcommandTerm(real));
  });

  it('loads the named command for `help NAME`, placeholders otherwise', async () => {
    const one = buildProgram(notUsed, await loadCommands(['node', 'espy', 'help', 'hunt']));
    expect(one.commands.map((c) => c.name())).toEqual(['hunt']);
    expect(one.commands[0]?.options.length).toBeGreaterThan(0);
    const all = buildProgram(notUsed, await loadCommands(['node', 'espy', '--help']));
    expect(all.commands.map((c) => c.name())).toEqual(COMMAND_SUMMARIES.map((s) => s.name));
  });

  it('keeps every command line of the help in the two-column layout', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(EXIT.OK);
    const commands = r.stdout.slice(r.stdout.indexOf('Commands:'), r.stdout.indexOf('Exit codes'));
    const lines = commands.split('\n').slice(1).filter(Boolean);
    for (const line of lines) {
      expect(line, line).toMatch(/^ {2}[a-z]/u.test(line) ? /^ {2}\S.*?\s{2,}\S/u : /^ {33}\S/u);
    }
    expect(lines.length).toBeGreaterThan(8);
    expect(r.stdout).toContain('sql-script [options]');
  });
});
