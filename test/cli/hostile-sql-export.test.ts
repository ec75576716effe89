/**
 * `espy analyze` of a host whose SQL export lists 1,000,000 logins (a 83 MB CSV): it ends,
 * analysis.json keeps every login, and Ctrl-C stops it. Time and peak RSS are printed for
 * the record, never asserted (two shared cores in CI).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, createReadStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.js';
import { requireFreshBuild } from '../support/build.js';
import { REPO_ROOT } from '../support/paths.js';

const LOGINS = 1_000_000;
const work = mkdtempSync(join(tmpdir(), 'espy-sql-1m-'));
const HOST = join(work, 'host');
const BIN = join(REPO_ROOT, 'bin', 'espy.js');
const env = { PATH: process.env['PATH'] ?? '', HOME: work, NO_COLOR: '1' };

beforeAll(() => {
  requireFreshBuild();
  cpSync(join(REPO_ROOT, 'samples', 'host-clean'), HOST, { recursive: true });
  const rows = ['name,type_desc,create_date,modify_date,is_disabled'];
  for (let i = 0; i < LOGINS; i++) rows.push(`CORP\\user_${String(i).padStart(7, '0')},WINDOWS_LOGIN,2024-11-05 15:12:09.470,2024-11-05 15:12:09.470,${i % 2}`);
  writeFileSync(join(HOST, 'sql', 'server_principals.csv'), `${rows.join('\r\n')}\r\n`);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Lines of analysis.json naming a generated login, counted as the file streams past. */
async function generatedLogins(path: string): Promise<number> {
  let n = 0;
  for await (const l of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) if (l.includes('"name": "CORP\\\\user_')) n++;
  return n;
}

describe('a 1,000,000-login SQL export', () => {
  it('is analysed: every login in analysis.json, time and peak RSS printed', async () => {
    const r = spawnSync('/usr/bin/time', ['-v', process.execPath, BIN, 'analyze', HOST, '--out', 'out'], { cwd: work, encoding: 'utf8', env, timeout: 600_000 });
    const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1];
    const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)/.exec(r.stderr)?.[1];
    console.log(`espy analyze with ${LOGINS} logins: ${wall ?? '?'} wall, peak RSS ${Math.round(Number(kb) / 1024)} MB`);
    expect(r.stderr).not.toMatch(/^\s+at |internal error/m);
    expect(r.status, r.stderr.slice(-2000)).toBe(EXIT.OK);
    expect(await generatedLogins(join(work, 'out', 'analysis.json'))).toBe(LOGINS);
    expect(existsSync(join(work, 'out', 'analysis.json.partial'))).toBe(false);
  }, 600_000);

  it('Ctrl-C while it runs: exit 130, no analysis.json, the time to stop printed', async () => {
    const child = spawn(process.execPath, [BIN, 'analyze', HOST, '--out', 'stopped'], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => {
      let sent = 0;
      // Once it says what it analyses, it is reading the export: interrupt it there.
      child.stderr.on('data', () => {
        if (sent === 0 && stderr.includes('analysing')) {
          sent = performance.now();
          setTimeout(() => child.kill('SIGINT'), 1000);
        }
      });
      child.on('exit', (c) => {
        console.log(`Ctrl-C to exit: ${Math.round(performance.now() - sent - 1000)} ms`);
        resolve(c);
      });
    });
    expect(stderr).not.toMatch(/^\s+at |internal error/m);
    expect(code, stderr).toBe(EXIT.INTERRUPTED);
    expect(existsSync(join(work, 'stopped', 'analysis.json'))).toBe(false);
    expect(existsSync(join(work, 'stopped', 'analysis.json.partial'))).toBe(false);
  }, 600_000);
});
