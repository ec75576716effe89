/**
 * ERRORLOG message text → event-log EventID and insertion strings, for the messages of the
 * template table (messages.ts). Each matcher is anchored on the whole text and written
 * from the exact message; a text that does not match exactly gets no ID (never a loose
 * guess). Spanish forms are included where the corpus shows them (desarrollo789: 18456 with
 * `Motivo:`/`[CLIENTE: ...]`, 15457 `Se ha cambiado la opción de configuración`).
 *
 * Trap: `Using 'dbghelp.dll' version '4.0.5'` (stack-dump helper) is NOT an 8128: the
 * 8128 matcher requires `to execute extended stored procedure '...'`.
 */

export interface InferredEvent {
  eventId: number;
  data: string[];
}

interface Matcher {
  eventId: number;
  re: RegExp;
  /** Regex groups → insertion strings (default: groups 1..n). */
  data?: (m: RegExpExecArray) => string[];
}

const groups = (m: RegExpExecArray): string[] => m.slice(1).map((g) => g ?? '');
const INFO = '(?: This is an informational message only[.;] [Nn]o user action is required\\.)?';

const MATCHERS: readonly Matcher[] = [
  { eventId: 8128, re: new RegExp(`^Using '(.+?)' version '([^']*)' to execute extended stored procedure '(.+)'\\.${INFO}$`, 's') },
  { eventId: 8131, re: /^Extended stored procedure DLL '(.+)' does not export __GetXpVersion\(\)\.(?: .*)?$/s },
  { eventId: 33090, re: new RegExp(`^Attempting to load library '(.+)' into memory\\.${INFO}$`, 's') },
  { eventId: 17750, re: /^Could not load the DLL (.+), or one of the DLLs it references\. Reason: (.*)\.$/s },
  { eventId: 17751, re: /^Could not find the function (.+?) in the library (.+)\. Reason: (.*)\.$/s },
  { eventId: 15457, re: /^Configuration option '(.+)' changed from (\S+) to (\S+)\. Run the RECONFIGURE statement to install\.$/s },
  {
    eventId: 15457,
    re: /^Se ha cambiado la opción de configuración '(.+)' de (\S+) a (\S+)\. Ejecute la instrucción RECONFIGURE para instalar\.$/s,
  },
  {
    // 18456: [user, " Reason: ..." (may be empty on old servers), " [CLIENT: ip]"].
    eventId: 18456,
    re: /^Login failed for user '(.*?)'\.((?: (?:Reason|Motivo): .*?)?)((?: \[(?:CLIENT|CLIENTE): [^\]]*\])?)$/s,
  },
  { eventId: 18453, re: /^Login succeeded for user '(.*?)'\. Connection made using Windows authentication\.((?: \[CLIENT: [^\]]*\])?)$/s },
  { eventId: 18454, re: /^Login succeeded for user '(.*?)'\. Connection made using SQL Server authentication\.((?: \[CLIENT: [^\]]*\])?)$/s },
  { eventId: 18455, re: /^Login succeeded for user '(.*?)'\.((?: \[CLIENT: [^\]]*\])?)$/s },
  { eventId: 17135, re: /^Launched startup procedure '(.+)'\.$/s },
  { eventId: 5084, re: /^Setting database option (\S+) to (.+?) for database '(.+)'\.$/s },
  { eventId: 33205, re: /^Audit event: (.*)$/s },
  {
    eventId: 15281,
    re: /^SQL Server blocked access to (.+?) '(.+?)' of component '(.+?)' because this component is turned off as part of the security configuration for this server\. A system administrator can enable the use of '(.+?)' by using sp_configure\. For more information about enabling '(.+?)', search for '(.+?)' in SQL Server Books Online\.$/s,
  },
  { eventId: 17115, re: /^Command Line Startup Parameters:(.*)$/s },
  { eventId: 17162, re: new RegExp(`^SQL Server is starting at (\\w+) priority base \\(=(\\d+)\\)\\.${INFO}$`, 's') },
  { eventId: 17126, re: /^SQL Server is now ready for client connections\. This is an informational message; no user action is required\.$/s },
  { eventId: 17147, re: new RegExp(`^SQL Server is terminating because of a system shutdown\\.${INFO}$`, 's') },
  { eventId: 17148, re: new RegExp(`^SQL Server is terminating in response to a 'stop' request from Service Control Manager\\.${INFO}$`, 's') },
];

/** First characters of the messages above, to skip the regexes for most lines. */
const PREFIXES = new Set(['Using', 'Extended', 'Attempting', 'Could', 'Configuration', 'Se', 'Login', 'Launched', 'Setting', 'Audit', 'SQL', 'Command']);

/** The event ID and insertion strings of a message text, or `undefined`. */
export function inferMssqlEvent(text: string): InferredEvent | undefined {
  const sp = text.indexOf(' ');
  const first = sp < 0 ? text : text.slice(0, sp);
  if (!PREFIXES.has(first.replace(/:$/, ''))) return undefined;
  for (const m of MATCHERS) {
    const r = m.re.exec(text);
    if (r) return { eventId: m.eventId, data: (m.data ?? groups)(r) };
  }
  return undefined;
}

/** Matchers for one event ID (for a merged `Error: N` line whose number is known). */
export function inferMssqlEventAs(eventId: number, text: string): string[] | undefined {
  for (const m of MATCHERS) {
    if (m.eventId !== eventId) continue;
    const r = m.re.exec(text);
    if (r) return (m.data ?? groups)(r);
  }
  return undefined;
}

/**
 * `Error: 18456, Severity: 14, State: 8.` Localised servers keep `Error:` and translate the two
 * labels (Spanish corpus: `gravedad`, `estado`); the three-number layout is SQL Server's own,
 * so any one- or two-word label is accepted (`Schweregrad`, `Status`, `Gravità`, ...).
 */
const ERROR_LINE = /^Error: (\d{1,6}), [^\d\s,:.]{2,20}(?: [^\d\s,:.]{2,20})?: (\d{1,3}), [^\d\s,:.]{2,20}(?: [^\d\s,:.]{2,20})?: (\d{1,4})\.$/u;

export function parseErrorLine(text: string): { number: number; severity: number; state: number } | undefined {
  const m = ERROR_LINE.exec(text);
  if (!m) return undefined;
  return { number: Number(m[1]), severity: Number(m[2]), state: Number(m[3]) };
}
