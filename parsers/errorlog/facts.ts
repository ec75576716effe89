/**
 * The first pass over an ERRORLOG: the whole-file facts every entry needs before the first
 * one is emitted. The layout (ERRORLOG or SQLAGENT.OUT, by majority of entries), the banner
 * (product, server and instance name, the first `UTC adjustment`), the SQL Agent identity
 * (from the first 200 entries), hence the provider, the computer and the time basis. It keeps
 * counters and first values only, never the entries.
 */
import { DEFAULT_INSTANCE, hostOf, instanceOf, providerOf, readBannerFact } from './banner.js';
import { parseUtcAdjustment } from './entry-line.js';
import { Findings } from './findings.js';
import { entryText, type RawEntry } from './group.js';
import { MAX_DIAGNOSTICS, MAX_UTC_ADJUSTMENT_MINUTES } from './limits.js';
import type { DetectedEncoding } from './decode.js';
import type { ErrorlogBanner, ErrorlogDiagnostic, ErrorlogLayout, ErrorlogParseOptions, TimeBasis } from './types.js';

/** What the first pass found: all that the second pass needs to build events. */
export interface ErrorlogHeader {
  encoding: DetectedEncoding['encoding'];
  layout: ErrorlogLayout;
  banner: ErrorlogBanner;
  provider: string;
  computer: string;
  /** Physical lines read. */
  lineCount: number;
  /** Entries (timestamped heads) in the file. */
  rawEntries: number;
  /** `banner` when the log has a valid `UTC adjustment` line, else `option` or `assumed-utc`. */
  basis: TimeBasis;
  /** Minutes in force before the first adjustment line: the first one, or the option, or 0. */
  initialMinutes: number;
}

/** SQLAGENT.OUT identity is read from this many entries at most. */
const AGENT_IDENTITY_ENTRIES = 200;

/** The minutes of a valid `UTC adjustment` entry, 'bad' for an invalid one, else undefined. */
export function adjustmentOf(r: RawEntry): number | 'bad' | undefined {
  if (r.head.layout !== 'errorlog') return undefined;
  const fact = readBannerFact(entryText(r));
  if (fact?.key !== 'utcAdjustment') return undefined;
  const minutes = parseUtcAdjustment(fact.value);
  return minutes === undefined || Math.abs(minutes) > MAX_UTC_ADJUSTMENT_MINUTES ? 'bad' : minutes;
}

export class FactsPass {
  private entries = 0;
  private agentHeads = 0;
  private banner: ErrorlogBanner = {};
  private instanceFromParams: string | undefined;
  private lastMinutes: number | undefined;
  private readonly agent: { provider?: string; computer?: string } = {};
  /** Banner diagnostics, reported after those of the lines (kept as the one-pass parser ordered them). */
  private readonly bannerDiags: ErrorlogDiagnostic[] = [];
  private droppedBannerDiags = 0;

  add(r: RawEntry): void {
    if (this.entries++ < AGENT_IDENTITY_ENTRIES) this.readAgentIdentity(r.head.text);
    if (r.head.layout === 'sqlagent') {
      this.agentHeads++;
      return;
    }
    const fact = readBannerFact(entryText(r));
    if (!fact) return;
    if (fact.key === 'utcAdjustment') this.readAdjustment(r, fact.value);
    else if (fact.key === 'instanceFromParams') this.instanceFromParams ??= fact.value;
    else this.banner[fact.key] ??= fact.value;
  }

  private readAdjustment(r: RawEntry, value: string): void {
    const minutes = parseUtcAdjustment(value);
    if (minutes === undefined || Math.abs(minutes) > MAX_UTC_ADJUSTMENT_MINUTES) {
      this.note({ code: 'BAD_UTC_ADJUSTMENT', line: r.line, offset: r.offset, message: `UTC adjustment '${value}' is not a time zone offset; ignored` });
      return;
    }
    if (this.lastMinutes !== undefined && this.lastMinutes !== minutes) {
      this.note({ code: 'UTC_ADJUSTMENT_CHANGED', line: r.line, offset: r.offset, message: `UTC adjustment changes from ${this.lastMinutes} to ${minutes} minutes here` });
    }
    this.lastMinutes = minutes;
    this.banner.utcAdjustmentMinutes ??= minutes;
  }

  private note(d: ErrorlogDiagnostic): void {
    if (this.bannerDiags.length < MAX_DIAGNOSTICS) this.bannerDiags.push(d);
    else this.droppedBannerDiags++;
  }

  private readAgentIdentity(t: string): void {
    const p = /\b(SQLAgent\$[A-Za-z0-9_$#@]+)\b/.exec(t);
    if (p && !this.agent.provider) this.agent.provider = p[1] ?? '';
    const c = /^Local computer is (\S+) running/.exec(t);
    if (c && !this.agent.computer) this.agent.computer = c[1] ?? '';
  }

  /** The header, once every entry was added; its diagnostics go to `out`. */
  finish(out: Findings, encoding: DetectedEncoding, lineCount: number, opts: ErrorlogParseOptions): ErrorlogHeader {
    const layout: ErrorlogLayout = this.agentHeads > this.entries / 2 ? 'sqlagent' : 'errorlog';
    if (layout === 'sqlagent') out.diag('SQLAGENT_LOG', 0, 0, 'SQL Server Agent log layout (SQLAGENT.OUT): no UTC adjustment and no event IDs');
    if (this.entries === 0 && lineCount > 0) {
      out.error('NOT_AN_ERRORLOG', 1, encoding.bomBytes, `no line starts with an ERRORLOG timestamp (${lineCount} lines read)`);
    }
    out.replay(this.bannerDiags, this.droppedBannerDiags);
    const banner = this.banner;
    const { provider, computer } = this.identity(out, layout, opts);
    let basis: TimeBasis = 'banner';
    let initialMinutes = banner.utcAdjustmentMinutes ?? 0;
    if (banner.utcAdjustmentMinutes === undefined) {
      if (opts.utcOffsetMinutes !== undefined && Number.isFinite(opts.utcOffsetMinutes)) {
        basis = 'option';
        initialMinutes = opts.utcOffsetMinutes;
      } else {
        basis = 'assumed-utc';
        if (this.entries > 0 && layout === 'errorlog') {
          out.diag('NO_UTC_ADJUSTMENT', 0, 0, "no 'UTC adjustment' line (banner missing or rotated away): local times kept as is and written as UTC (assumed offset 0:00)");
        } else if (this.entries > 0) {
          out.diag('NO_UTC_ADJUSTMENT', 0, 0, 'SQLAGENT.OUT has no UTC adjustment: local times kept as is and written as UTC (assumed offset 0:00)');
        }
      }
    }
    return { encoding: encoding.encoding, layout, banner, provider, computer, lineCount, rawEntries: this.entries, basis, initialMinutes };
  }

  /** The header from the entries added so far, without reporting anything (a one-pass read's look-ahead). */
  provisional(encoding: DetectedEncoding, lineCount: number, opts: ErrorlogParseOptions): ErrorlogHeader {
    const kept = this.banner;
    this.banner = { ...kept };
    try {
      return this.finish(new Findings(), encoding, lineCount, opts);
    } finally {
      this.banner = kept;
    }
  }

  /** Provider and computer of the events: the options, else what the log says, else the defaults. */
  private identity(out: Findings, layout: ErrorlogLayout, opts: ErrorlogParseOptions): { provider: string; computer: string } {
    const banner = this.banner;
    let provider = opts.provider;
    let computer = opts.computer;
    if (layout === 'sqlagent') {
      provider ??= this.agent.provider;
      computer ??= this.agent.computer;
      if (provider === undefined) {
        provider = 'SQLSERVERAGENT';
        out.diag('PROVIDER_ASSUMED', 0, 0, 'no SQLAgent$NAME in the log: provider assumed SQLSERVERAGENT (default instance)');
      }
    } else if (provider === undefined) {
      const instance = instanceOf(banner, this.instanceFromParams);
      if (instance !== undefined) {
        banner.instanceName = instance;
        provider = providerOf(instance);
      } else {
        provider = DEFAULT_INSTANCE;
        out.diag('PROVIDER_ASSUMED', 0, 0, `no instance name in the banner: provider assumed ${DEFAULT_INSTANCE} (pass the provider option to override)`);
      }
    }
    if (banner.instanceName === undefined && layout === 'errorlog') {
      const instance = instanceOf(banner, this.instanceFromParams);
      if (instance !== undefined) banner.instanceName = instance;
    }
    computer ??= hostOf(banner.serverName) ?? '';
    return { provider, computer };
  }
}
