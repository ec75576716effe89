import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect } from '../../collector/collect/index.js';
import { withFaults } from '../../collector/fs-memory.js';
import { errorlogDirFromParams, parseDriveList, parseRegInstances, parseRegValues, sqlServerName } from '../../collector/live/parse-output.js';
import type { CommandRunner } from '../../collector/live/runner.js';
import { buildSnapshot, type RawSysinfo } from '../../collector/live/sysinfo.js';
import { createWindowsLiveHost } from '../../collector/live/windows.js';
import { channelFromLogFile } from '../../collector/live-host.js';
import { openZip } from '../../collector/zip-reader.js';
import { TRIAGE_SQL } from '../../collector/sql/triage-sql.js';
import { baseOptions, hostTree } from './fixtures.js';
import { tempDirs, testdir } from './testdir.js';

const { track } = tempDirs();

// Hand-written in the formats reg.exe and sqlcmd print (not captured on a real host: CI has no Windows).
const REG_OUTPUT =
  '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Microsoft SQL Server\\Instance Names\\SQL\r\n    MSSQLSERVER    REG_SZ    MSSQL15.MSSQLSERVER\r\n    SQLEXPRESS    REG_SZ    MSSQL15.SQLEXPRESS\r\n\r\n';
const REG_PARAMS =
  '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Microsoft SQL Server\\MSSQL15.MSSQLSERVER\\MSSQLServer\\Parameters\r\n    SQLArg0    REG_SZ    -dC:\\SQLData\\DATA\\master.mdf\r\n    SQLArg1    REG_SZ    -eC:\\SQLData\\Log\\ERRORLOG\r\n    SQLArg2    REG_SZ    -lC:\\SQLData\\DATA\\mastlog.ldf\r\n\r\n';
const REG_SETUP = '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Microsoft SQL Server\\MSSQL15.MSSQLSERVER\\Setup\r\n    SQLBinRoot    REG_SZ    C:\\SQLData\\Binn\r\n\r\n';
const SQLCMD_OUTPUT = 'name|dll\r\n----|---\r\nmaggie|C:\\ProgramData\\maggie.dll\r\nxp_instance_regread|xpstar.dll\r\n\r\n(2 rows affected)\r\n';

const RAW: RawSysinfo = {
  os: { hostname: 'SQL01', fqdn: 'SQL01.corp.example', platform: 'Windows', distro: 'Microsoft Windows Server 2019 Standard', release: '10.0.17763', build: '17763', arch: 'x64' },
  time: { timezone: 'GMT-0800', timezoneName: 'Pacific Standard Time', current: Date.parse('2024-03-02T10:00:00Z'), uptime: 1000 },
  interfaces: [{ iface: 'Ethernet0', ip4: '10.0.0.5', ip6: '', mac: '00:0c:29:00:00:01', internal: false }],
  connections: [
    { protocol: 'tcp', localAddress: '0.0.0.0', localPort: '1433', peerAddress: '0.0.0.0', peerPort: '0', state: 'LISTEN', pid: 2000, process: 'sqlservr.exe' },
    { protocol: 'tcp', localAddress: '127.0.0.1', localPort: '1434', peerAddress: '0.0.0.0', peerPort: '0', state: 'LISTEN', pid: 2000, process: 'sqlservr.exe' },
    { protocol: 'tcp', localAddress: '10.0.0.5', localPort: '1433', peerAddress: '203.0.113.9', peerPort: '50123', state: 'ESTABLISHED', pid: 2000, process: 'sqlservr.exe' },
    { protocol: 'tcp', localAddress: '10.0.0.5', localPort: '3389', peerAddress: '10.0.0.9', peerPort: '50000', state: 'ESTABLISHED', pid: 900, process: 'svchost.exe' },
  ],
  processes: [
    { pid: 2000, parentPid: 600, name: 'sqlservr.exe' },
    { pid: 3000, parentPid: 2000, name: 'cmd.exe', command: 'cmd.exe /c whoami' },
    { pid: 3001, parentPid: 3000, name: 'whoami.exe' },
  ],
  users: [{ user: 'Administrator', tty: 'rdp-tcp#0', date: '2024-03-02', time: '09:00', ip: '10.0.0.9' }],
};

describe('live Windows host (replayed command outputs; CI has no Windows)', () => {
  it('parses reg.exe and drive listings', () => {
    expect(parseRegInstances(REG_OUTPUT)).toEqual([
      { name: 'MSSQLSERVER', id: 'MSSQL15.MSSQLSERVER' },
      { name: 'SQLEXPRESS', id: 'MSSQL15.SQLEXPRESS' },
    ]);
    expect(parseDriveList('C:\r\nD:\r\n\r\n')).toEqual(['C', 'D']);
    expect(sqlServerName('MSSQLSERVER')).toBe('.');
    expect(errorlogDirFromParams(parseRegValues(REG_PARAMS))).toBe('C:\\SQLData\\Log');
    expect(parseRegValues(REG_SETUP)).toEqual([['SQLBinRoot', 'C:\\SQLData\\Binn']]);
    expect(sqlServerName('SQLEXPRESS')).toBe('.\\SQLEXPRESS');
    expect(channelFromLogFile('Microsoft-Windows-Sysmon%4Operational.evtx')).toBe('Microsoft-Windows-Sysmon/Operational');
  });

  it('snapshot (hand-made systeminformation data) flags 1433 on all interfaces and children of sqlservr.exe, keeps sqlservr connections', () => {
    const s = buildSnapshot(RAW, { userDomain: 'CORP' });
    expect(s['hostname']).toBe('SQL01');
    expect(s['domain']).toBe('CORP');
    expect(s['timeZone']).toBe('Pacific Standard Time (GMT-0800)');
    expect(s['flags']).toEqual(['SQL Server port 1433 listening on all interfaces', 'process cmd.exe (pid 3000) is a child of sqlservr.exe']);
    expect((s['sqlserverConnections'] as { peerAddress: string }[]).map((c) => c.peerAddress)).toEqual(['203.0.113.9']);
    expect(buildSnapshot(RAW)['domain']).toBe('corp.example');
  });

  it('a locked event log falls back to wevtutil epl (method export); triage SQL per instance (method query)', async () => {
    const t = testdir({ ...hostTree(), SQLData: { Log: { ERRORLOG: 'moved errorlog', 'log_3.trc': 'trace' }, Binn: { 'xpother.dll': 'MZ' }, DATA: { 'master.mdf': 'db' } } });
    track(t.cleanup);
    const out = mkdtempSync(join(tmpdir(), 'espy-out-'));
    track(() => rmSync(out, { recursive: true, force: true }));
    const calls: string[][] = [];
    const runner: CommandRunner = (cmd, args) => {
      calls.push([cmd, ...args]);
      if (cmd === 'powershell.exe') return Promise.resolve({ code: 0, stdout: Buffer.from('C:\r\n'), stderr: '' });
      if (cmd === 'reg.exe' && String(args[1]).endsWith('\\Parameters')) {
        const data = String(args[1]).includes('SQLEXPRESS') ? REG_PARAMS.replace('-eC:\\SQLData', '-eC:\\Nowhere') : REG_PARAMS;
        return Promise.resolve({ code: 0, stdout: Buffer.from(data), stderr: '' });
      }
      if (cmd === 'reg.exe' && String(args[1]).endsWith('\\Setup')) return Promise.resolve({ code: 0, stdout: Buffer.from(REG_SETUP), stderr: '' });
      if (cmd === 'reg.exe') return Promise.resolve({ code: 0, stdout: Buffer.from(REG_OUTPUT), stderr: '' });
      if (cmd === 'wevtutil.exe') {
        writeFileSync(args[2] as string, 'ElfFile\0exported');
        return Promise.resolve({ code: 0, stdout: Buffer.alloc(0), stderr: '' });
      }
      if (cmd === 'sqlcmd.exe') {
        if (args[2] === '.\\SQLEXPRESS') return Promise.resolve({ code: 1, stdout: Buffer.alloc(0), stderr: 'Login timeout expired' });
        return Promise.resolve({ code: 0, stdout: Buffer.from(SQLCMD_OUTPUT), stderr: '' });
      }
      return Promise.resolve({ code: 1, stdout: Buffer.alloc(0), stderr: 'unexpected' });
    };
    const live = await createWindowsLiveHost({
      runner,
      sysinfo: () => Promise.resolve(RAW),
      scripts: [{ name: 'esps', sql: 'SELECT name, dll FROM sys.extended_procedures' }],
      hostName: 'SQL01',
      env: { USERDOMAIN: 'CORP' },
      driveRoot: () => t.dir,
    });
    const opts = baseOptions(t.dir, out, {
      live,
      noSql: false,
      wrapView: (v) => withFaults(v, { 'C/Windows/System32/winevt/Logs/Application.evtx': 'EBUSY', 'C/Windows/System32/winevt/Logs/Security.evtx': 'EPERM' }),
    });
    delete opts.source;
    const r = await collect(opts);
    expect(r.manifest.source.kind).toBe('live');
    expect(r.host).toBe('SQL01');
    const app = r.manifest.files.find((f) => f.originalPath === 'C:\\Windows\\System32\\winevt\\Logs\\Application.evtx');
    expect(app?.method).toBe('export');
    expect(app?.size).toBe('ElfFile\0exported'.length);
    expect(calls).toContainEqual(['wevtutil.exe', 'epl', 'Application', expect.stringMatching(/export-\d+\.evtx$/), '/ow:true']);
    // An instance outside Program Files, found through the registry (-e startup parameter, SQLBinRoot).
    const moved = r.manifest.files.filter((f) => f.originalPath.startsWith('C:\\SQLData\\'));
    expect(moved.map((f) => [f.originalPath, f.method, f.storedPath !== undefined])).toEqual([
      ['C:\\SQLData\\Binn\\xpother.dll', 'hash', false],
      ['C:\\SQLData\\Log\\ERRORLOG', 'copy', true],
      ['C:\\SQLData\\Log\\log_3.trc', 'copy', true],
    ]);
    const q = r.manifest.files.filter((f) => f.method === 'query');
    expect(q.map((f) => [f.storedPath, Boolean(f.error)])).toEqual([
      ['sql/MSSQLSERVER/esps.txt', false],
      [undefined, true],
    ]);
    const zip = await openZip(r.bundlePath);
    const sql = await zip.readBytes(
      zip.entries.find((e) => e.name === 'sql/MSSQLSERVER/esps.txt')!,
      1 << 20,
    );
    const sys = JSON.parse(
      (
        await zip.readBytes(
          zip.entries.find((e) => e.name === 'sysinfo.json')!,
          1 << 20,
        )
      ).toString(),
    ) as Record<string, unknown>;
    zip.close();
    expect(sql.toString()).toBe(SQLCMD_OUTPUT);
    expect(sys['hostname']).toBe('SQL01');
    expect(sys['domain']).toBe('CORP');
    expect((sys['collectedBy'] as { hostname: string }).hostname).toBe('ANALYST-PC');
    expect(JSON.stringify(calls)).not.toMatch(/password/i);
    expect(readFileSync(`${r.bundlePath}.sha256`, 'utf8')).toContain(r.sha256);
  });

  it("runs espy's own triage SQL by default, with its sqlcmd output contract and Windows authentication", async () => {
    const seen: { args: string[]; script: string }[] = [];
    const runner: CommandRunner = (cmd, args) => {
      if (cmd === 'sqlcmd.exe') seen.push({ args: [...args], script: readFileSync(args[args.indexOf('-i') + 1] as string, 'utf8') });
      return Promise.resolve({ code: 0, stdout: Buffer.from('ESPY:end\r\n'), stderr: '' });
    };
    const live = await createWindowsLiveHost({ runner, sysinfo: () => Promise.resolve(RAW) });
    const out = await live.runTriageSql('SQLEXPRESS');
    await live.cleanup();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.script).toBe(TRIAGE_SQL);
    expect(seen[0]?.args).toEqual(['-E', '-S', '.\\SQLEXPRESS', '-i', expect.stringMatching(/espy-sql\.sql$/), '-s', '|', '-W', '-f', 'o:65001']);
    expect(out.map((o) => o.name)).toEqual(['SQLEXPRESS/espy-sql.txt']);
  });

  it('for an image source the analyst machine is "collected by", never the suspect host', async () => {
    const t = testdir(hostTree());
    track(t.cleanup);
    const out = mkdtempSync(join(tmpdir(), 'espy-out-'));
    track(() => rmSync(out, { recursive: true, force: true }));
    const r = await collect(baseOptions(t.dir, out));
    expect(r.manifest.host).toBe('SQL01');
    expect(r.manifest.collectedBy.hostname).toBe('ANALYST-PC');
    const zip = await openZip(r.bundlePath);
    const sys = JSON.parse(
      (
        await zip.readBytes(
          zip.entries.find((e) => e.name === 'sysinfo.json')!,
          1 << 20,
        )
      ).toString(),
    ) as Record<string, unknown>;
    zip.close();
    expect(sys['hostname']).toBe('SQL01');
    expect(sys['snapshot']).toBeUndefined();
    expect(sys['listening']).toBeUndefined();
  });
});
