import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../parsers/common/index.js';
import { readEvtxRecords, renderRecordJson, renderRecordXml } from '../../parsers/evtx/index.js';
import { requireCorpus } from '../support/paths.js';

/**
 * Golden JSON (evtx_dump shape, pretty-printed) and XML for the first record of a few real
 * files: a Security logon, a classic unnamed-Data provider (MSSQLSERVER), a
 * forwarded (inline-element) event and a UserData event.
 */
const DIR = requireCorpus('evtx');
const CASES: [string, string][] = [
  ['security-4608', 'omerbenamram_evtx/samples/security.evtx'],
  ['mssql-33205', 'mdecrevoisier_EVTX-to-MITRE-Attack/TA0006-Credential Access/T1110.xxx-Brut force/ID33205-SQL Server failed login with SA wrong password.evtx'],
  ['wec-inline', 'omerbenamram_evtx/samples/MSExchange_Management_wec.evtx'],
  ['userdata-261', '4renwald_evtx-python/samples/TerminalServices-RemoteConnectionManagerOperational.evtx'],
];

describe('golden renderings', () => {
  for (const [name, file] of CASES) {
    it(name, async () => {
      for await (const o of readEvtxRecords(memorySource(readFileSync(join(DIR, file))))) {
        if (!o.ok) continue;
        await expect(JSON.stringify(JSON.parse(renderRecordJson(o.record)), null, 2) + '\n').toMatchFileSnapshot(`golden/${name}.json`);
        await expect(renderRecordXml(o.record)).toMatchFileSnapshot(`golden/${name}.xml`);
        return;
      }
      throw new Error(`no record read from ${file}`);
    });
  }
});
