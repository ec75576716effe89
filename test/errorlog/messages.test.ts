// renderMssqlMessage: the template table, and inference ∘ rendering = the original text on
// every inferred English line of the corpus.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MSSQL_MESSAGE_TEMPLATES, fillTemplate, inferMssqlEvent, parseErrorlog, renderMssqlMessage } from '../../parsers/errorlog/index.js';
import { requireCorpus } from '../support/paths.js';

describe('renderMssqlMessage', () => {
  it('renders the reference-table templates in event-log order', () => {
    expect(renderMssqlMessage(8128, ['C:\\ProgramData\\maggie.dll', '1.0', 'maggie'])).toBe(
      "Using 'C:\\ProgramData\\maggie.dll' version '1.0' to execute extended stored procedure 'maggie'. This is an informational message only; no user action is required.",
    );
    expect(renderMssqlMessage(15457, ['xp_cmdshell', '0', '1'])).toBe("Configuration option 'xp_cmdshell' changed from 0 to 1. Run the RECONFIGURE statement to install.");
    // The real EVTX strings of the corpus (MSSQL$RADAR, mdecrevoisier) render to the ERRORLOG text.
    expect(
      renderMssqlMessage(18456, ['unexisting-user', ' Reason: An attempt to login using SQL authentication failed. Server is configured for Windows authentication only.', ' [CLIENT: 10.23.23.9]']),
    ).toBe("Login failed for user 'unexisting-user'. Reason: An attempt to login using SQL authentication failed. Server is configured for Windows authentication only. [CLIENT: 10.23.23.9]");
    expect(renderMssqlMessage(17135, ['sp_x'])).toBe("Launched startup procedure 'sp_x'.");
    expect(renderMssqlMessage(4688, ['x'])).toBeUndefined();
    expect(renderMssqlMessage(0, [])).toBeUndefined();
  });

  it('never re-expands placeholders inside insertion strings; missing strings are empty', () => {
    expect(fillTemplate("a '%1' b %2 %%", ['%2', 'x'])).toBe("a '%2' b x %");
    expect(renderMssqlMessage(8131, [])).toBe("Extended stored procedure DLL '' does not export __GetXpVersion().");
  });

  it('every template infers back to its own ID and strings', () => {
    for (const t of MSSQL_MESSAGE_TEMPLATES) {
      const data = Array.from({ length: t.arity }, (_, i) =>
        t.eventId === 18456 && i > 0
          ? [' Reason: r.', ' [CLIENT: 1.2.3.4]'][i - 1]!
          : t.eventId === 18453 || t.eventId === 18454 || t.eventId === 18455
            ? i === 0
              ? 'u'
              : ' [CLIENT: 1.2.3.4]'
            : t.eventId === 17162
              ? ['normal', '7'][i]!
              : `v${i + 1}`,
      );
      const text = fillTemplate(t.template, data);
      expect(inferMssqlEvent(text), `${t.eventId}: ${text}`).toEqual({ eventId: t.eventId, data });
    }
  });

  it('inference then rendering gives back every inferred English line of the corpus', () => {
    const dir = requireCorpus('errorlog');
    const files = execFileSync('find', [dir, '-type', 'f', '-iname', 'errorlog*'], { encoding: 'utf8' }).trim().split('\n');
    let checked = 0;
    for (const f of files) {
      for (const e of parseErrorlog(readFileSync(f)).entries) {
        const rendered = renderMssqlMessage(e.eventId, e.data);
        if (rendered === undefined) continue;
        expect(rendered).toBe(e.text);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(300);
  });
});
