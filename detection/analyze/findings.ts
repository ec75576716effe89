import type { EspEntry, EvidenceRef, Finding, Login, Severity } from '../analysis-result.js';
import { SEVERITIES } from '../analysis-result.js';
import { excerpt, refOf, timeRange } from './evidence-ref.js';
import { espEventIndex, groupBy } from './group.js';
import type { DllFacts, HitOverflow, RuleHit, SourcedEvent, SqlFacts } from './inputs.js';
import { findingsFromBaselineHashes, findingsFromFalseMicrosoftClaims, maxSeverity } from './esp-trust.js';
import { attackIds, NEXT_STEPS, nextStepsFor } from './next-steps.js';
import { normalizeWinPath, winBasename } from './windows-paths.js';

/** Evidence items kept per finding (the count says how many matched in all). */
export const MAX_EVIDENCE_PER_FINDING = 10;

type Draft = Omit<Finding, 'id'>;

function byTime(a: SourcedEvent, b: SourcedEvent): number {
  return a.summary.timestamp.localeCompare(b.summary.timestamp);
}

/**
 * One finding per Sigma rule, with its matches as evidence. `overflow`: matches of a rule that
 * were counted, not kept (flood.ts); the count and the time range include them.
 */
export function findingsFromHits(hits: readonly RuleHit[], overflow?: ReadonlyMap<string, HitOverflow>): Draft[] {
  const out: Draft[] = [];
  for (const [ruleId, group] of groupBy(hits, (h) => h.ruleId)) {
    const first = group[0];
    if (!first) continue;
    const events = group.flatMap((h) => (h.related && h.related.length > 0 ? h.related : [h.event]));
    const unique = [...new Map(events.map((e) => [`${e.artefact}|${e.origin.recordId ?? ''}|${e.origin.line ?? ''}|${e.origin.offset ?? ''}`, e])).values()].sort(byTime);
    const fields = first.fields ?? [];
    const refs = unique.map((e) => refOf(e, fields));
    const attack = attackIds(first.tags);
    let explanation = first.description || first.title;
    if (first.falsepositives.length > 0) explanation += ` False positives: ${first.falsepositives.join('; ')}.`;
    const more = overflow?.get(ruleId);
    const range = timeRange(refs);
    if (more) {
      explanation += ` Matched ${group.length + more.count} times: the first ${group.length} are kept whole (evidence, timeline); the other ${more.count} are counted.`;
      if (more.first && (!range.firstSeen || more.first < range.firstSeen)) range.firstSeen = more.first;
      if (more.last && (!range.lastSeen || more.last > range.lastSeen)) range.lastSeen = more.last;
    }
    out.push({
      ruleId,
      title: first.title,
      severity: first.level,
      attack,
      source: group.some((h) => h.related) ? 'correlation' : 'sigma',
      explanation,
      nextSteps: nextStepsFor(attack, 'sigma'),
      evidence: refs.slice(0, MAX_EVIDENCE_PER_FINDING),
      count: group.length + (more?.count ?? 0),
      ...range,
    });
  }
  return out;
}

/** The events naming the ESP's DLL by its path, or by its bare file name, in time order. */
function espEventsFor(entry: EspEntry, index: ReadonlyMap<string, readonly { at: number; ev: SourcedEvent }[]>): SourcedEvent[] {
  const path = entry.dllPath ? normalizeWinPath(entry.dllPath).toLowerCase() : undefined;
  const base = winBasename(entry.dll).toLowerCase();
  const byPath = path !== undefined ? (index.get(path) ?? []) : [];
  // A bare name (no folder) in an event stands for the file of that name.
  const byName = base !== path && !base.includes('\\') ? (index.get(base) ?? []) : [];
  return [...byPath, ...byName]
    .sort((a, b) => a.at - b.at)
    .map((x) => x.ev)
    .sort(byTime);
}

/** Findings for every malicious or suspicious ESP, the DLL file and the registration as evidence. */
export function findingsFromEsps(esps: readonly EspEntry[], events: readonly SourcedEvent[], sql: SqlFacts | undefined): Draft[] {
  const out: Draft[] = [];
  const eventIndex = espEventIndex(events);
  // The export rows of each DLL file name, in export order.
  const rowsByName = groupBy(sql?.esps ?? [], (r) => winBasename(r.dllName).toLowerCase());
  for (const e of esps) {
    if (e.suspicion === 'unknown' && e.location === 'binn' && e.file?.present && !e.file.signed) {
      out.push(unsignedBinnFinding(e));
      continue;
    }
    if (e.suspicion !== 'malicious' && e.suspicion !== 'suspicious') continue;
    const refs: EvidenceRef[] = [];
    if (e.file?.present && e.file.path) {
      const ref: EvidenceRef = {
        artefact: e.file.path,
        kind: 'pe',
        excerpt: excerpt(
          `${winBasename(e.file.path)} sha256 ${e.file.sha256 ?? '?'}; signature: ${e.file.signature?.description ?? (e.file.signed ? `signed by ${e.file.signer ?? '?'}, not verified` : 'not signed')}; exports ${(e.file.exports ?? []).join(', ') || 'none'}${e.file.yara.length ? `; YARA ${e.file.yara.map((y) => y.rule).join(', ')}` : ''}${e.file.modified ? `; file modified ${e.file.modified} (file system time, as found)` : ''}`,
        ),
      };
      ref.decisive = e.file.path;
      // No `timestamp`: file-system times are copied, restored and rewritten; the excerpt keeps them as found.
      if (e.file.storedPath) ref.storedPath = e.file.storedPath;
      refs.push(ref);
    }
    const sqlRow = rowsByName.get(winBasename(e.dll).toLowerCase())?.find((r) => e.procedures.includes(r.name));
    if (sqlRow) {
      const ref: EvidenceRef = {
        artefact: sqlRow.file,
        kind: 'sql-export',
        excerpt: excerpt(`registered ESP ${sqlRow.name} → ${sqlRow.dllName}${sqlRow.createDate ? `, created ${sqlRow.createDate} (server time)` : ''}`),
      };
      ref.decisive = `${sqlRow.name} → ${sqlRow.dllName}`;
      if (sqlRow.line !== undefined) ref.line = sqlRow.line;
      refs.push(ref);
    }
    const evs = espEventsFor(e, eventIndex);
    for (const ev of evs) refs.push(refOf(ev));
    const proc = e.procedures[0];
    const malicious = e.suspicion === 'malicious';
    // A backdoor keeps its own title unless the trust rule is what makes it one.
    const rule = e.trustRule && (!malicious || e.trustRule.severity === 'critical') ? e.trustRule : undefined;
    const title = rule
      ? `${rule.title}${proc ? ` ('${proc}')` : ''}: ${e.dll}`
      : malicious
        ? `Backdoor extended stored procedure${proc ? ` '${proc}'` : ''}: ${e.dll}`
        : `Suspicious extended stored procedure DLL${proc ? ` '${proc}'` : ''}: ${e.dll}`;
    const severity: Severity = maxSeverity(malicious ? 'critical' : e.location === 'outside' ? 'high' : 'medium', rule?.severity);
    const attack = ['T1505.001'];
    out.push({
      ruleId: rule?.ruleId ?? (malicious ? 'espy.esp.backdoor' : 'espy.esp.suspicious'),
      title,
      severity,
      attack,
      source: e.file?.yara.length ? 'yara' : 'esp',
      explanation: `${rule ? `${e.file?.path ?? e.dll}: ` : ''}${e.reasons.join('; ')}. An ESP DLL runs inside sqlservr.exe with the service account's rights; Maggie-class backdoors are ESP DLLs controlled through SQL queries.`,
      nextSteps: rule ? [...(NEXT_STEPS['signature'] ?? []), ...nextStepsFor(attack, 'esp')] : nextStepsFor(attack, 'esp'),
      evidence: refs.slice(0, MAX_EVIDENCE_PER_FINDING),
      count: Math.max(1, e.executions.count + e.loads.count),
      ...timeRange(refs),
    });
  }
  for (const d of findingsFromBaselineHashes(esps)) out.push(d);
  return out;
}

/** A Microsoft ESP name in Binn that is not Microsoft-signed: worth a hash check, not an alarm. */
function unsignedBinnFinding(e: EspEntry): Draft {
  const path = e.file?.path ?? e.dll;
  const ref: EvidenceRef = { artefact: path, kind: 'pe', excerpt: excerpt(`${winBasename(path)} sha256 ${e.file?.sha256 ?? '?'}; not signed; company ${e.file?.company ?? 'none'}`), decisive: path };
  if (e.file?.storedPath) ref.storedPath = e.file.storedPath;
  return {
    ruleId: 'espy.esp.binn-unsigned',
    title: `ESP DLL in Binn is not Microsoft-signed: ${winBasename(path)}`,
    severity: 'low',
    attack: ['T1505.001'],
    source: 'esp',
    explanation: `${e.reasons.join('; ')}. Microsoft's ESP DLLs carry an embedded Microsoft signature; an unsigned one in Binn that does not claim to be Microsoft's is a test stand-in or a replaced file, and only its hash can tell.`,
    nextSteps: ['Compare the SHA-256 with the same file on a known-good server of the same build, or create a baseline (`espy baseline create`) from one.'],
    evidence: [ref],
    count: 1,
  };
}

/**
 * YARA hits on swept files that are not ESPs in the inventory (dropped tools, renamed copies),
 * and false Microsoft signatures on them.
 */
export function findingsFromFiles(dlls: readonly DllFacts[], esps: readonly EspEntry[]): Draft[] {
  const inInventory = new Set(esps.map((e) => (e.file?.path ?? '').toLowerCase()));
  const out: Draft[] = [];
  for (const d of dlls) {
    if (d.file.yara.length === 0 || inInventory.has(d.path.toLowerCase())) continue;
    const ref: EvidenceRef = {
      artefact: d.path,
      kind: 'pe',
      excerpt: excerpt(`sha256 ${d.file.sha256 ?? '?'}; YARA ${d.file.yara.map((y) => y.rule).join(', ')}`),
      decisive: d.path,
    };
    if (d.storedPath) ref.storedPath = d.storedPath;
    out.push({
      ruleId: 'espy.yara.file',
      title: `YARA match on ${winBasename(d.path)}`,
      severity: 'high',
      attack: ['T1505.001'],
      source: 'yara',
      explanation: `The file matched ${d.file.yara.map((y) => `${y.rule} (${y.source})`).join(', ')}. ${d.reasons.join('; ')}`,
      nextSteps: nextStepsFor(['T1505.001'], 'yara'),
      evidence: [ref],
      count: 1,
    });
  }
  for (const d of findingsFromFalseMicrosoftClaims(dlls, esps)) out.push(d);
  return out;
}

function loginRef(l: Login): EvidenceRef {
  const ref: EvidenceRef = {
    artefact: l.source.replace(/:\d+$/, ''),
    kind: 'sql-export',
    excerpt: excerpt(`login ${l.name} (${l.type}) created ${l.createDate ?? '?'}${l.isSysadmin ? ', member of sysadmin' : ''}${l.isDisabled ? ', disabled' : ''}`),
    decisive: `login ${l.name}${l.isSysadmin ? ' (sysadmin)' : ''}`,
  };
  const line = /:(\d+)$/.exec(l.source)?.[1];
  if (line) ref.line = Number(line);
  if (l.createDate) ref.timestamp = l.createDate;
  return ref;
}

/** Logins created during the incident window (Maggie creates a backdoor login): one finding each. */
export function findingsFromLogins(logins: readonly Login[]): Draft[] {
  return logins
    .filter((l) => l.createdDuringIncident)
    .map((l) => ({
      ruleId: 'espy.login.created-during-incident',
      title: `Login '${l.name}' created during the incident${l.isSysadmin ? ' (sysadmin)' : ''}`,
      severity: l.isSysadmin ? 'critical' : 'high',
      attack: ['T1136.001'],
      source: 'sql',
      explanation: 'A server login was created inside the window of malicious activity. Maggie creates a backdoor login once it has sysadmin rights.',
      nextSteps: nextStepsFor(['T1136'], 'sql'),
      evidence: [loginRef(l)],
      count: 1,
      ...(l.createDate ? { firstSeen: l.createDate, lastSeen: l.createDate } : {}),
    }));
}

/** Findings of one rule listed one by one; past this many, the rest of that rule share one finding. */
export const MAX_FINDINGS_PER_RULE = 100;

/** What the shared finding calls the rest, by rule: "<n> more <this>". */
const MORE_OF: Record<string, string> = {
  'espy.login.created-during-incident': 'logins created during the incident',
  'espy.esp.backdoor': 'backdoor extended stored procedure DLLs',
  'espy.esp.suspicious': 'suspicious extended stored procedure DLLs',
  'espy.anti-forensics.esp-used-then-removed': 'ESP DLLs used, then removed',
};

/**
 * Evidence that names thousands of logins or DLLs (a flood to bury the one that matters, or a
 * forged log) must not make thousands of findings: each rule keeps its MAX_FINDINGS_PER_RULE
 * worst (by severity, then as they came), and one more finding counts the rest, with the
 * first of them as its evidence. The inventory, the logins and the timeline keep every one (within
 * the budgets of flood.ts).
 */
export function capPerRule(drafts: readonly Draft[]): Draft[] {
  const byRule = groupBy(drafts, (d) => d.ruleId);
  const rank = (s: Severity): number => SEVERITIES.indexOf(s);
  const out: Draft[] = [];
  for (const [ruleId, list] of byRule) {
    if (list.length <= MAX_FINDINGS_PER_RULE) {
      for (const d of list) out.push(d);
      continue;
    }
    const ordered = list.map((d, i) => ({ d, i })).sort((a, b) => rank(a.d.severity) - rank(b.d.severity) || a.i - b.i);
    for (const { d } of ordered.slice(0, MAX_FINDINGS_PER_RULE)) out.push(d);
    const rest = ordered.slice(MAX_FINDINGS_PER_RULE).map((x) => x.d);
    const first = rest[0] as Draft;
    let firstSeen: string | undefined;
    let lastSeen: string | undefined;
    let count = 0;
    const attack = new Set<string>();
    for (const d of rest) {
      count += d.count;
      for (const a of d.attack) attack.add(a);
      if (d.firstSeen && (firstSeen === undefined || d.firstSeen < firstSeen)) firstSeen = d.firstSeen;
      if (d.lastSeen && (lastSeen === undefined || d.lastSeen > lastSeen)) lastSeen = d.lastSeen;
    }
    out.push({
      ruleId,
      title: `${rest.length} more ${MORE_OF[ruleId] ?? `findings like: ${first.title}`}`,
      severity: first.severity,
      attack: [...attack],
      source: first.source,
      explanation: `${first.explanation} More findings of this kind than the report lists one by one: the first of the other ${rest.length} are the evidence here; the ESP inventory, the logins and the timeline list every one that the analysis followed.`,
      nextSteps: first.nextSteps,
      evidence: rest
        .slice(0, MAX_EVIDENCE_PER_FINDING)
        .map((d) => d.evidence.find((r) => r.decisive) ?? d.evidence[0])
        .filter((r): r is EvidenceRef => r !== undefined),
      count,
      ...(firstSeen ? { firstSeen } : {}),
      ...(lastSeen ? { lastSeen } : {}),
    });
  }
  return out;
}

const SOURCE_ORDER: Record<Finding['source'], number> = { esp: 0, yara: 1, sql: 2, correlation: 3, sigma: 4, baseline: 5, coverage: 6 };

/** Orders by severity, ESP evidence first, then time; numbers them F001... */
export function finalizeFindings(drafts: readonly Draft[]): Finding[] {
  const rank = (s: Severity): number => SEVERITIES.indexOf(s);
  return [...drafts]
    .sort((a, b) => rank(a.severity) - rank(b.severity) || SOURCE_ORDER[a.source] - SOURCE_ORDER[b.source] || (a.firstSeen ?? '~').localeCompare(b.firstSeen ?? '~') || a.title.localeCompare(b.title))
    .map((d, i) => ({ id: `F${String(i + 1).padStart(3, '0')}`, ...d }));
}
