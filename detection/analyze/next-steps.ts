/**
 * Remediation advice per kind of finding, from the Maggie report (DCSO CyTec, 2022) and
 * common SQL Server hardening. Data, keyed by ATT&CK technique or espy heuristic.
 */
export const NEXT_STEPS: Readonly<Record<string, readonly string[]>> = {
  esp: [
    'Preserve the DLL (it is in the bundle) and the memory of sqlservr.exe before cleaning up.',
    "List registered ESPs (`EXEC sp_helpextendedproc`) and remove the backdoor with `EXEC sp_dropextendedproc '<name>'`, then `DBCC <dllname>(FREE)` or restart the service, then delete the DLL.",
    'Check for backdoor logins created by the attacker (sys.server_principals ordered by create_date) and for sysadmin members you do not expect.',
    'Hunt for the same DLL hash and procedure name on every other SQL Server.',
  ],
  T1110: [
    'Keep TCP 1433 off the internet: firewall it to the application servers that need it.',
    'Enforce strong passwords on SQL logins (CHECK_POLICY = ON), disable or rename `sa`, prefer Windows authentication.',
    'Review successful logins from the same client after the failures.',
  ],
  T1136: ['Review the new login: who created it and when; disable it (`ALTER LOGIN ... DISABLE`) and remove it from sysadmin if not legitimate.'],
  T1059: [
    'Processes started by sqlservr.exe are commands run through an ESP or xp_cmdshell: review their command lines and what they did next.',
    "Disable xp_cmdshell (`EXEC sp_configure 'xp_cmdshell', 0; RECONFIGURE`) unless it is required.",
  ],
  T1505: [
    'Review server configuration changes (`sys.configurations`): xp_cmdshell, CLR, Ole Automation, Ad Hoc Distributed Queries should be off unless required.',
    'Check startup procedures, SQL Agent jobs, CLR assemblies and server triggers for persistence.',
  ],
  T1070: [
    'Find out who cleared the log and from where: the 1102/104 record names the account; match its logon (4624) on this host and on the domain controllers.',
    'Recover what the cleared log held from elsewhere: a log forwarder or SIEM, backups or volume shadow copies of the .evtx files, the ERRORLOG archives, Sysmon.',
    'Treat the time of the clearing as part of the incident: what happened just before it is what the intruder wanted gone.',
  ],
  T1562: [
    'Restore the audit policy (`auditpol /get /category:*` against your baseline or GPO) and find out who changed it.',
    'Expect a gap in the Security log after the change: take the evidence of that period from other sources (Sysmon, ERRORLOG, network logs).',
  ],
  signature: [
    'Verify the signature on an analysis machine (`signtool verify /pa /all /v <file>` or `osslsigncode verify`) and compare the file with the same DLL on a known-good server of the same build (version, SHA-256).',
    'Find out when and by whom the file was replaced (file system timeline, installer and patch logs) before restoring the original.',
  ],
  T1036: ["A file that disguises itself as Microsoft's is rarely alone: hunt for its hash and its signer certificate (thumbprint) on other hosts."],
  default: ['Review the evidence listed with this finding and decide whether it is expected on this server.'],
};

/** Next steps for a finding from its ATT&CK tags and source. */
export function nextStepsFor(attack: readonly string[], source: string): string[] {
  const out: string[] = [];
  const add = (key: string): void => {
    for (const s of NEXT_STEPS[key] ?? []) if (!out.includes(s)) out.push(s);
  };
  if (source === 'signature') add('signature');
  if (source === 'esp' || source === 'yara') add('esp');
  for (const t of attack) {
    const base = t.toUpperCase().split('.')[0] ?? '';
    if (base in NEXT_STEPS) add(base);
  }
  if (attack.some((t) => t.toUpperCase().startsWith('T1505.001'))) add('esp');
  if (out.length === 0) add('default');
  return out;
}

/** `attack.t1505.001` → `T1505.001`; other tags dropped. */
export function attackIds(tags: readonly string[]): string[] {
  const ids = tags.map((t) => /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(t)?.[1]?.toUpperCase()).filter((t): t is string => Boolean(t));
  return [...new Set(ids)];
}
