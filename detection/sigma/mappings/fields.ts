/**
 * Field-name mapping data for `EventView` (mappings are data).
 *
 * Resolution order for a Sigma field name F (event-view.ts):
 *   1. F in SYSTEM_FIELDS → `Event.System` element (or its attribute);
 *   2. F in DERIVED_FIELDS → extracted from other values with the documented regex;
 *   3. `Data` → every unnamed `<Data>` value (classic providers such as MSSQLSERVER);
 *   4. `Message` → the rendered message (injected renderer), else every EventData value;
 *   5. a dotted path (`EventData.X`, `System.Provider.Name`) → walked from `Event`;
 *   6. `EventData.F`; then the first key F anywhere under `UserData`.
 * Per-logsource renames (Security 4688 `NewProcessName` for Sysmon's `Image`, ...) live in
 * windows-logsources.ts and are applied when a rule is compiled.
 */

export interface SystemField {
  /** Element name under Event.System. */
  element: string;
  /** Attribute of that element, when the value is an attribute. */
  attribute?: string;
}

export const SYSTEM_FIELDS: Readonly<Record<string, SystemField>> = {
  EventID: { element: 'EventID' },
  Channel: { element: 'Channel' },
  Computer: { element: 'Computer' },
  Provider_Name: { element: 'Provider', attribute: 'Name' },
  Provider_Guid: { element: 'Provider', attribute: 'Guid' },
  Provider_EventSourceName: { element: 'Provider', attribute: 'EventSourceName' },
  EventRecordID: { element: 'EventRecordID' },
  Level: { element: 'Level' },
  Task: { element: 'Task' },
  Opcode: { element: 'Opcode' },
  Keywords: { element: 'Keywords' },
  Version: { element: 'Version' },
  Qualifiers: { element: 'EventID', attribute: 'Qualifiers' },
  Security_UserID: { element: 'Security', attribute: 'UserID' },
  TimeCreated: { element: 'TimeCreated', attribute: 'SystemTime' },
  ExecutionProcessID: { element: 'Execution', attribute: 'ProcessID' },
  ExecutionThreadID: { element: 'Execution', attribute: 'ThreadID' },
};

export interface DerivedField {
  /** Field whose values are searched. */
  from: string;
  /** First capture group is the value. Each pattern is tried on each value; first hit wins. */
  patterns: readonly RegExp[];
  description: string;
}

/**
 * Fields espy derives because the source has no field of its own for them.
 *
 * `ClientAddress`: SQL Server login events (18453/18454/18455 success, 18456 failure, and
 * the ERRORLOG "Logon" lines) carry the client only inside an insertion string such as
 * `Reason: Password did not match ... [CLIENT: 203.0.113.45]` (localised servers write
 * e.g. `[CLIENTE: ...]`). The value is the text between the colon and the closing bracket,
 * trimmed: an IPv4/IPv6 address, or `<local machine>`/`<named pipe>`. SQL Server Audit
 * records (33205, e.g. action_id LGIF/LGIS) carry it as `<address>10.23.23.9</address>`
 * inside `additional_information`.
 */
export const DERIVED_FIELDS: Readonly<Record<string, DerivedField>> = {
  ClientAddress: {
    from: 'Data',
    patterns: [/\[\s*(?:CLIENT|CLIENTE|KLIENT)\s*:\s*([^\]]+?)\s*\]/i, /<address>\s*([^<]+?)\s*<\/address>/],
    description: 'client address inside a SQL Server login message ([CLIENT: <address>]) or audit record (<address>)',
  },
};
