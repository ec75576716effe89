/**
 * SQL Server message templates for the event IDs that matter to ESP-backdoor triage
 * (texts as SQL Server's sys.messages has them). MSSQL events in the Application log carry only
 * their insertion strings (`EventData.Data`); the text lives in sqlevn70.rll. espy renders
 * `Message` from this table, for EVTX events and ERRORLOG entries alike.
 *
 * Placeholders are `%1`..`%9`, as in the event-log message files. The insertion-string order
 * is the one the Application log uses: verified on the corpus EVTX for 15457
 * ([option, old, new]), 18456 ([user, " Reason: ...", " [CLIENT: ip]"]) and 17115
 * ([parameters]); the others follow the order of the placeholders in SQL Server's own
 * message text (see MAPPING.md, "verified" column).
 */

export interface MssqlMessageTemplate {
  eventId: number;
  /** English text with %1.. placeholders, as SQL Server writes it. */
  template: string;
  /** Number of insertion strings. */
  arity: number;
}

const INFO_ONLY = 'This is an informational message only. No user action is required.';

/** The template table. Keep MAPPING.md in step with it. */
export const MSSQL_MESSAGE_TEMPLATES: readonly MssqlMessageTemplate[] = [
  {
    eventId: 8128,
    template: "Using '%1' version '%2' to execute extended stored procedure '%3'. This is an informational message only; no user action is required.",
    arity: 3,
  },
  { eventId: 8131, template: "Extended stored procedure DLL '%1' does not export __GetXpVersion().", arity: 1 },
  { eventId: 33090, template: `Attempting to load library '%1' into memory. ${INFO_ONLY}`, arity: 1 },
  { eventId: 17750, template: 'Could not load the DLL %1, or one of the DLLs it references. Reason: %2.', arity: 2 },
  { eventId: 17751, template: 'Could not find the function %1 in the library %2. Reason: %3.', arity: 3 },
  { eventId: 15457, template: "Configuration option '%1' changed from %2 to %3. Run the RECONFIGURE statement to install.", arity: 3 },
  { eventId: 18456, template: "Login failed for user '%1'.%2%3", arity: 3 },
  { eventId: 18453, template: "Login succeeded for user '%1'. Connection made using Windows authentication.%2", arity: 2 },
  { eventId: 18454, template: "Login succeeded for user '%1'. Connection made using SQL Server authentication.%2", arity: 2 },
  { eventId: 18455, template: "Login succeeded for user '%1'.%2", arity: 2 },
  { eventId: 17135, template: "Launched startup procedure '%1'.", arity: 1 },
  { eventId: 5084, template: "Setting database option %1 to %2 for database '%3'.", arity: 3 },
  { eventId: 33205, template: 'Audit event: %1', arity: 1 },
  {
    eventId: 15281,
    template:
      "SQL Server blocked access to %1 '%2' of component '%3' because this component is turned off as part of the security configuration for this server. A system administrator can enable the use of '%4' by using sp_configure. For more information about enabling '%5', search for '%6' in SQL Server Books Online.",
    arity: 6,
  },
  { eventId: 17115, template: 'Command Line Startup Parameters:%1', arity: 1 },
  { eventId: 17162, template: `SQL Server is starting at %1 priority base (=%2). ${INFO_ONLY}`, arity: 2 },
  { eventId: 17126, template: 'SQL Server is now ready for client connections. This is an informational message; no user action is required.', arity: 0 },
  { eventId: 17147, template: `SQL Server is terminating because of a system shutdown. ${INFO_ONLY}`, arity: 0 },
  { eventId: 17148, template: `SQL Server is terminating in response to a 'stop' request from Service Control Manager. ${INFO_ONLY}`, arity: 0 },
];

const BY_ID = new Map<number, MssqlMessageTemplate>(MSSQL_MESSAGE_TEMPLATES.map((t) => [t.eventId, t]));

/** The template for an event ID, if espy knows it. */
export function mssqlMessageTemplate(eventId: number): MssqlMessageTemplate | undefined {
  return BY_ID.get(eventId);
}

/**
 * Fills a template with insertion strings: `%n` → `data[n-1]` (missing ones → ''), `%%` →
 * `%`. One pass, so text inside the insertion strings is never re-expanded.
 */
export function fillTemplate(template: string, data: readonly string[]): string {
  return template.replace(/%(%|\d)/g, (_m, d: string) => (d === '%' ? '%' : (data[Number(d) - 1] ?? '')));
}

/**
 * The message text of an MSSQL event from its ID and insertion strings (for `Message` of
 * EVTX events of `MSSQLSERVER`/`MSSQL$*` providers), or `undefined` when espy has no
 * template for the ID.
 */
export function renderMssqlMessage(eventId: number, data: readonly string[]): string | undefined {
  const t = BY_ID.get(eventId);
  return t ? fillTemplate(t.template, data) : undefined;
}
