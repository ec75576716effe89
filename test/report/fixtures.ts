/**
 * Hand-written `AnalysisResult`s for the report tests and the report benchmark: a Maggie-like
 * compromised host, a clean host, a host whose evidence is full of XSS payloads, and a
 * generator for N timeline rows. Modelled on DCSO's "Tracking down Maggie" and the sample
 * story (SQL01, backdoor DLL under C:\ProgramData\).
 */
import { ANALYSIS_SCHEMA_VERSION, type AnalysisResult, type EvidenceRef, type Severity, type TimelineEntry } from '../../detection/analysis-result.js';

const APP = 'C:\\Windows\\System32\\winevt\\Logs\\Application.evtx';
const SYSMON = 'C:\\Windows\\System32\\winevt\\Logs\\Microsoft-Windows-Sysmon%4Operational.evtx';
const ERRORLOG = 'C:\\Program Files\\Microsoft SQL Server\\MSSQL14.MSSQLSERVER\\MSSQL\\Log\\ERRORLOG';
const BINN = 'C:\\Program Files\\Microsoft SQL Server\\MSSQL14.MSSQLSERVER\\MSSQL\\Binn';
export const MAGGIE_SHA256 = '9f3e0a6b4c1d2e5f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f';
export const BUNDLE_SHA256 = '0d6c2a8e71f4b35c9e0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a';

function appRef(recordId: number, timestamp: string, excerpt: string): EvidenceRef {
  return { artefact: APP, storedPath: 'files/C/Windows/System32/winevt/Logs/Application.evtx', kind: 'evtx', recordId, timestamp, excerpt };
}

function base(host: string): AnalysisResult {
  return {
    schemaVersion: ANALYSIS_SCHEMA_VERSION,
    espyVersion: '0.1.0',
    generatedAt: '2026-03-20T09:00:00.0000000Z',
    command: `espy analyze ./espy-out/${host}-20260320.zip --out ./reports/${host}`,
    host: {
      name: host,
      os: 'Windows Server 2016 Standard 10.0.14393',
      domain: 'corp.example',
      timeZone: 'Pacific Standard Time (UTC-08:00)',
      sqlInstances: [
        {
          name: 'MSSQLSERVER',
          provider: 'MSSQLSERVER',
          root: 'C:\\Program Files\\Microsoft SQL Server\\MSSQL14.MSSQLSERVER',
          version: '14.0.1000.169',
          errorlogPaths: [ERRORLOG],
        },
      ],
    },
    source: {
      kind: 'bundle',
      path: `./espy-out/${host}-20260320.zip`,
      bundleName: `${host}-20260320T085500Z.zip`,
      bundleSha256: BUNDLE_SHA256,
      collectedAt: '2026-03-20T08:55:00.0000000Z',
      collectedBy: 'IR-WORKSTATION-7',
    },
    verdict: { verdict: 'NO_INDICATORS', reasons: [] },
    findings: [],
    esps: [
      {
        procedures: ['xp_instance_regread', 'xp_regread'],
        dll: 'xpstar.dll',
        dllPath: `${BINN}\\xpstar.dll`,
        location: 'binn',
        registered: true,
        isMsShipped: true,
        loads: { count: 3, first: '2026-03-01T06:00:10.0000000Z', last: '2026-03-18T06:00:10.0000000Z', sources: ['ERRORLOG 33090'] },
        executions: { count: 12, first: '2026-03-01T06:00:11.0000000Z', last: '2026-03-19T06:00:11.0000000Z', sources: ['Application.evtx 8128'] },
        file: {
          present: true,
          path: `${BINN}\\xpstar.dll`,
          size: 431_616,
          sha256: 'a'.repeat(64),
          md5: 'b'.repeat(32),
          sha1: 'c'.repeat(40),
          isPe: true,
          isEsp: true,
          signed: true,
          signer: 'Microsoft Corporation',
          yara: [],
        },
        suspicion: 'benign',
        reasons: ['in Binn, signed by Microsoft'],
      },
    ],
    logins: [
      { name: 'sa', type: 'SQL_LOGIN', createDate: '2019-04-08T09:10:00.0000000Z', isDisabled: false, isSysadmin: true, createdDuringIncident: false, source: 'server_principals.csv' },
      {
        name: 'CORP\\sqladmins',
        type: 'WINDOWS_GROUP',
        createDate: '2019-04-08T09:12:00.0000000Z',
        isDisabled: false,
        isSysadmin: true,
        createdDuringIncident: false,
        source: 'server_principals.csv',
      },
      { name: 'app_reader', type: 'SQL_LOGIN', createDate: '2021-06-01T12:00:00.0000000Z', isDisabled: false, isSysadmin: false, createdDuringIncident: false, source: 'server_principals.csv' },
    ],
    timeline: [
      {
        timestamp: '2026-03-01T06:00:11.0000000Z',
        source: 'Application.evtx',
        provider: 'MSSQLSERVER',
        eventId: 8128,
        message: "Using 'xpstar.dll' version '2017.140.1000' to execute extended stored procedure 'xp_instance_regread'.",
        ruleIds: [],
        ref: appRef(100, '2026-03-01T06:00:11.0000000Z', 'xpstar.dll 2017.140.1000 xp_instance_regread'),
      },
    ],
    coverage: [
      {
        source: 'Application event log',
        present: true,
        artefacts: [APP],
        firstEvent: '2026-02-01T00:00:00.0000000Z',
        lastEvent: '2026-03-20T08:50:00.0000000Z',
        records: 5120,
        failed: 0,
        recovered: 0,
        notes: [],
      },
      {
        source: 'ERRORLOG (MSSQLSERVER)',
        present: true,
        artefacts: [ERRORLOG, `${ERRORLOG}.1`],
        firstEvent: '2026-02-20T00:00:00.0000000Z',
        lastEvent: '2026-03-20T08:50:00.0000000Z',
        records: 840,
        failed: 0,
        recovered: 0,
        notes: ['ERRORLOG rotated: earliest entry 2026-02-20'],
      },
      { source: 'SQL export: ESPs', present: true, artefacts: ['sql/extended_procedures.csv'], records: 2, failed: 0, recovered: 0, notes: [] },
      { source: 'Security event log', present: false, artefacts: [], records: 0, failed: 0, recovered: 0, notes: ['process creation auditing (4688) not enabled'] },
    ],
    ruleLoad: { sigmaLoaded: 14, sigmaRejected: [], yaraRules: 3, yaraErrors: [] },
    collection: {
      log: ['08:55:00 collecting from C:\\', '08:55:02 Application.evtx 20.0 MiB', '08:55:09 manifest written: 212 files'],
      manifest: { files: 212, bytes: 187_000_000, errors: 0, incomplete: false },
    },
    errors: [],
    timings: { collect: 9_000, parse: 2_100, detect: 800, total: 11_950 },
  };
}

/** A compromised host: Maggie-like ESP under C:\ProgramData, brute force, backdoor login. */
export function maggieResult(): AnalysisResult {
  const r = base('SQL01');
  const dllPath = 'C:\\ProgramData\\sqlmaint.dll';
  r.verdict = {
    verdict: 'COMPROMISED',
    reasons: [
      "ESP 'maggie' executed from C:\\ProgramData\\sqlmaint.dll (outside Binn, unsigned)",
      'The DLL matches the published Maggie YARA rule',
      "Login 'sqlbackup' with sysadmin created 3 minutes after a brute-force success from 203.0.113.45",
    ],
  };
  r.incidentWindow = { start: '2026-03-14T10:02:11.0000000Z', end: '2026-03-14T10:31:40.0000000Z' };
  const ev8128 = appRef(4711, '2026-03-14T10:17:43.1230000Z', "Using 'sqlmaint.dll' version '1.0.0' to execute extended stored procedure 'maggie'.");
  const yaraRef: EvidenceRef = {
    artefact: dllPath,
    storedPath: 'files/C/ProgramData/sqlmaint.dll',
    kind: 'pe',
    offset: 0x2a40,
    excerpt: 'maggie_backdoor: $s1 "HostList UserList PassList" at 0x2a40',
  };
  const brute: EvidenceRef = {
    artefact: ERRORLOG,
    kind: 'errorlog',
    line: 412,
    timestamp: '2026-03-14T10:02:11.0000000Z',
    excerpt: "Login failed for user 'sa'. Reason: Password did not match that for the login provided. [CLIENT: 203.0.113.45]",
  };
  const login: EvidenceRef = { artefact: 'sql/server_principals.csv', kind: 'sql-export', line: 7, timestamp: '2026-03-14T10:12:02.0000000Z', excerpt: 'sqlbackup,SQL_LOGIN,2026-03-14 02:12:02.000' };
  const sysmon: EvidenceRef = {
    artefact: SYSMON,
    kind: 'evtx',
    recordId: 9120,
    timestamp: '2026-03-14T10:18:02.0000000Z',
    excerpt: 'Image: C:\\Windows\\System32\\whoami.exe ParentImage: ' + BINN + '\\sqlservr.exe',
    decisive: 'ParentImage=' + BINN + '\\sqlservr.exe; CommandLine=whoami /all',
  };
  r.findings = [
    {
      id: 'F001',
      ruleId: 'espy.esp.outside-binn',
      title: 'ESP executed from a DLL outside Binn',
      severity: 'critical',
      attack: ['T1505.001', 'attack.persistence'],
      source: 'esp',
      explanation: 'SQL Server executed an extended stored procedure from a DLL outside the instance Binn folder. Maggie installs itself this way.',
      nextSteps: ["Preserve C:\\ProgramData\\sqlmaint.dll, then run EXEC sp_dropextendedproc 'maggie'"],
      evidence: [ev8128],
      count: 6,
      firstSeen: '2026-03-14T10:17:43.1230000Z',
      lastSeen: '2026-03-14T10:31:40.0000000Z',
    },
    {
      id: 'F002',
      ruleId: 'maggie_backdoor',
      title: 'DLL matches the Maggie YARA rule',
      severity: 'critical',
      attack: ['T1505.001'],
      source: 'yara',
      explanation: 'The ESP DLL contains 8 or more of the 13 strings of the published Maggie rule.',
      nextSteps: [],
      evidence: [yaraRef],
      count: 1,
    },
    {
      id: 'F003',
      ruleId: '5a7c3e1f-0000-4000-8000-000000000001',
      title: 'Failed-login burst followed by a success from the same client',
      severity: 'high',
      attack: ['T1110.001'],
      source: 'correlation',
      explanation: '57 failed logins for sa from 203.0.113.45, then a successful login from the same address.',
      nextSteps: ['Keep TCP 1433 off the internet', 'Change the sa password'],
      evidence: [
        brute,
        { ...brute, line: 498, timestamp: '2026-03-14T10:09:58.0000000Z', excerpt: "Login succeeded for user 'sa'. Connection made using SQL Server authentication. [CLIENT: 203.0.113.45]" },
      ],
      count: 58,
    },
    {
      id: 'F004',
      ruleId: 'espy.login.new-sysadmin',
      title: 'New sysadmin login during the incident',
      severity: 'high',
      attack: ['T1136.001'],
      source: 'sql',
      explanation: 'A SQL login with sysadmin was created during the incident window.',
      nextSteps: ['Disable the login sqlbackup and review what it did'],
      evidence: [login],
      count: 1,
    },
    {
      id: 'F005',
      ruleId: 'espy.sysmon.sqlservr-child',
      title: 'sqlservr.exe started whoami.exe',
      severity: 'medium',
      attack: ['T1059.003'],
      source: 'sigma',
      explanation: 'Commands run through an ESP or xp_cmdshell.',
      nextSteps: [],
      evidence: [sysmon],
      count: 2,
    },
    {
      id: 'F006',
      ruleId: 'espy.errorlog.dbghelp',
      title: 'Stack dump helper loaded (not an ESP)',
      severity: 'informational',
      attack: [],
      source: 'baseline',
      explanation: 'dbghelp.dll used for a stack dump: looks like 8128 but is not an ESP load.',
      nextSteps: [],
      evidence: [{ artefact: ERRORLOG, kind: 'errorlog', line: 30, excerpt: "Using 'dbghelp.dll' version '4.0.5' to perform stack dump" }],
      count: 1,
    },
  ];
  r.esps.unshift({
    procedures: ['maggie'],
    dll: 'sqlmaint.dll',
    dllPath,
    location: 'outside',
    registered: true,
    registeredAt: '2026-03-14T10:16:55.0000000Z',
    isMsShipped: false,
    loads: { count: 1, first: '2026-03-14T10:17:42.9000000Z', last: '2026-03-14T10:17:42.9000000Z', sources: ['ERRORLOG 33090', 'Sysmon 7'] },
    executions: { count: 6, first: '2026-03-14T10:17:43.1230000Z', last: '2026-03-14T10:31:40.0000000Z', sources: ['Application.evtx 8128', 'ERRORLOG'] },
    file: {
      present: true,
      path: dllPath,
      storedPath: 'files/C/ProgramData/sqlmaint.dll',
      size: 260_096,
      md5: '0123456789abcdef0123456789abcdef',
      sha1: '0123456789abcdef0123456789abcdef01234567',
      sha256: MAGGIE_SHA256,
      isPe: true,
      isEsp: true,
      espReasons: ['imports opends60.dll', 'exports __GetXpVersion'],
      exports: ['maggie', '__GetXpVersion'],
      signed: false,
      yara: [{ rule: 'maggie_backdoor', source: 'rules/yara/espy.yar', tags: ['apt'], strings: [{ id: '$s1', offset: 0x2a40 }] }],
    },
    suspicion: 'malicious',
    reasons: ['outside Binn', 'unsigned', 'YARA: maggie_backdoor', 'registered during the incident'],
  });
  r.logins.unshift({
    name: 'sqlbackup',
    type: 'SQL_LOGIN',
    createDate: '2026-03-14T10:12:02.0000000Z',
    modifyDate: '2026-03-14T10:12:02.0000000Z',
    isDisabled: false,
    isSysadmin: true,
    createdDuringIncident: true,
    source: 'server_principals.csv',
  });
  r.timeline.push(
    {
      timestamp: brute.timestamp ?? '',
      localTime: '2026-03-14 02:02:11.00',
      source: 'ERRORLOG',
      provider: 'MSSQLSERVER',
      eventId: 18456,
      message: brute.excerpt,
      severity: 'medium',
      ruleIds: ['F003'],
      ref: brute,
    },
    { timestamp: '2026-03-14T10:12:02.0000000Z', source: 'SQL export', message: "Login 'sqlbackup' created (SQL_LOGIN, sysadmin)", severity: 'high', ruleIds: ['espy.login.new-sysadmin'], ref: login },
    {
      timestamp: ev8128.timestamp ?? '',
      source: 'Application.evtx',
      provider: 'MSSQLSERVER',
      eventId: 8128,
      message: ev8128.excerpt,
      severity: 'critical',
      ruleIds: ['espy.esp.outside-binn'],
      ref: ev8128,
    },
    {
      timestamp: sysmon.timestamp ?? '',
      source: 'Sysmon',
      provider: 'Microsoft-Windows-Sysmon',
      eventId: 1,
      message: sysmon.excerpt,
      severity: 'medium',
      ruleIds: ['espy.sysmon.sqlservr-child'],
      ref: sysmon,
    },
  );
  r.coverage.push({
    source: 'Sysmon',
    present: true,
    artefacts: [SYSMON],
    firstEvent: '2026-03-10T00:00:00.0000000Z',
    lastEvent: '2026-03-20T08:50:00.0000000Z',
    records: 20_400,
    failed: 3,
    recovered: 2,
    notes: [],
  });
  return r;
}

/** A clean host: only Microsoft's ESPs, no findings. */
export function cleanResult(): AnalysisResult {
  const r = base('SQL02');
  r.verdict = { verdict: 'NO_INDICATORS', reasons: ['Only Microsoft ESPs from Binn were used', 'No failed-login bursts'] };
  return r;
}

/** The payloads every attacker-controlled field gets in the XSS host. */
export const XSS_PAYLOADS = [
  '<img src=x onerror=alert(1)>',
  '</script><script>alert(1)</script>',
  '" onmouseover=alert(1) x="',
  'javascript:alert(1)',
  'maggie\u202Elld.exe',
  "'><svg onload=alert(1)>",
  '</style><script>alert(1)</script>',
  '<!--<script>alert(1)//-->',
  '\u2028\u2029{{body}}${alert(1)}',
] as const;

/** A host whose every evidence string carries XSS payloads (names, paths, messages, file names). */
export function xssResult(): AnalysisResult {
  const r = maggieResult();
  const p = (i: number): string => XSS_PAYLOADS[i % XSS_PAYLOADS.length] ?? '';
  const all = XSS_PAYLOADS.join(' ');
  r.host.name = `SQL01${p(0)}`;
  r.host.domain = p(2);
  r.host.sqlInstances[0]!.name = p(1);
  r.command = `espy analyze ${all}`;
  r.source.path = p(3);
  r.source.bundleName = `bundle${p(4)}.zip`;
  r.verdict.reasons.push(all);
  for (const [i, f] of r.findings.entries()) {
    f.title = `${f.title} ${p(i)}`;
    f.ruleId = p(i + 1);
    f.explanation = all;
    f.attack.push(p(3), p(0));
    f.nextSteps.push(p(i + 2));
    for (const e of f.evidence) {
      e.excerpt = all;
      e.artefact = `C:\\ProgramData\\${p(i + 3)}`;
    }
  }
  r.findings[0]!.id = 'F001" onmouseover="alert(1)';
  const esp = r.esps[0]!;
  esp.procedures = [p(0), "maggie'; DROP TABLE x;--", p(4)];
  esp.dll = p(4);
  esp.dllPath = `C:\\ProgramData\\${p(1)}`;
  esp.reasons.push(all);
  esp.file!.yara[0]!.rule = p(0);
  esp.file!.signer = p(2);
  esp.suspicion = p(2) as 'malicious';
  r.logins.push({ name: p(0), type: p(1), isSysadmin: true, createdDuringIncident: true, source: p(3) });
  r.logins.push({ name: p(2), type: 'SQL_LOGIN', isSysadmin: false, createdDuringIncident: true, source: p(4) });
  for (const [i, t] of r.timeline.entries()) {
    t.message = `${t.message} ${all}`;
    t.source = p(i);
    t.ref.artefact = p(i + 1);
  }
  r.coverage[0]!.notes.push(all);
  r.coverage[0]!.artefacts.push(p(1));
  r.errors.push({ artefact: p(0), message: all });
  r.ruleLoad.sigmaRejected.push({ path: p(1), line: 3, reason: all });
  r.collection!.log.push(all);
  r.timings[p(0)] = 5;
  return r;
}

const SOURCES = ['Application.evtx', 'ERRORLOG', 'Sysmon', 'Security.evtx', 'SQL export'] as const;
const SEVS: (Severity | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined, 'low', 'medium', 'high', 'critical'];

/** `n` deterministic timeline rows, one second apart from 2026-03-01, with realistic repetition. */
export function generateTimeline(n: number): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const t0 = Date.UTC(2026, 2, 1);
  for (let i = 0; i < n; i++) {
    const ts = new Date(t0 + i * 1000).toISOString().replace('Z', '0000Z');
    const source = SOURCES[i % SOURCES.length] ?? 'ERRORLOG';
    const sev = SEVS[(i * 7) % SEVS.length];
    const ip = `203.0.113.${i % 250}`;
    const kind = i % 4;
    const message =
      kind === 0
        ? `Login failed for user 'sa'. Reason: Password did not match that for the login provided. [CLIENT: ${ip}]`
        : kind === 1
          ? "Using 'xpstar.dll' version '2017.140.1000' to execute extended stored procedure 'xp_instance_regread'."
          : kind === 2
            ? `Attempting to load library 'xplog70.dll' into memory. This is an informational message only. No user action is required.`
            : `Process created: C:\\Windows\\System32\\cmd.exe /c whoami (pid ${4000 + (i % 9000)})`;
    const entry: TimelineEntry = {
      timestamp: ts,
      source,
      provider: source === 'Sysmon' ? 'Microsoft-Windows-Sysmon' : 'MSSQLSERVER',
      eventId: [18456, 8128, 33090, 1][kind] ?? 0,
      message,
      ruleIds: sev ? [`espy.rule.${kind}`] : [],
      ref:
        source === 'ERRORLOG'
          ? { artefact: ERRORLOG, kind: 'errorlog', line: i + 1, timestamp: ts, excerpt: message }
          : { artefact: APP, kind: 'evtx', recordId: i + 1, timestamp: ts, excerpt: message },
    };
    if (source === 'ERRORLOG') entry.localTime = new Date(t0 + i * 1000 - 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 22);
    if (sev) entry.severity = sev;
    out.push(entry);
  }
  return out;
}

/** The Maggie host with `n` timeline rows (for the paging tests and the benchmark). */
export function bigResult(n: number): AnalysisResult {
  const r = maggieResult();
  r.timeline = generateTimeline(n);
  return r;
}
