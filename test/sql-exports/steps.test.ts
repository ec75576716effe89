/**
 * The SQL export parser in steps: it pauses every SQL_EXPORT_SLICE_ROWS rows, returns what
 * parseSqlExport returns, and `runSteps` stops it part-way once the signal aborts.
 */
import { describe, expect, it } from 'vitest';
import { SQL_EXPORT_SLICE_ROWS, parseSqlExport, sqlExportSteps } from '../../parsers/sql-exports/index.js';
import { runSteps } from '../../detection/run-steps.js';

const ROWS = 3 * SQL_EXPORT_SLICE_ROWS + 7;
const rows = ['name,type_desc,create_date,modify_date,is_disabled'];
for (let i = 0; i < ROWS; i++) rows.push(`CORP\\u${i},WINDOWS_LOGIN,2024-11-05 15:12:09.470,2024-11-05 15:12:09.470,${i % 2}`);
const bytes = new TextEncoder().encode(`${rows.join('\r\n')}\r\n`);

describe('sqlExportSteps', () => {
  it('pauses once per slice of rows and returns what parseSqlExport returns', () => {
    const steps = sqlExportSteps('p.csv', bytes);
    let pauses = 0;
    let r = steps.next();
    while (!r.done) {
      pauses++;
      r = steps.next();
    }
    expect(pauses).toBe(3);
    const whole = parseSqlExport('p.csv', bytes);
    expect(r.value).toEqual(whole);
    expect(whole.sets[0]?.rows).toHaveLength(ROWS);
    expect(whole.sets[0]?.rows[ROWS - 1]).toEqual({
      name: `CORP\\u${ROWS - 1}`,
      typeDesc: 'WINDOWS_LOGIN',
      createDate: '2024-11-05T15:12:09.470',
      modifyDate: '2024-11-05T15:12:09.470',
      isDisabled: false,
    });
  });

  it('runSteps stops at the first pause after the signal aborts', async () => {
    const ac = new AbortController();
    setImmediate(() => ac.abort(new Error('interrupted (SIGINT)')));
    await expect(runSteps(sqlExportSteps('p.csv', bytes), ac.signal, 0)).rejects.toThrow('interrupted (SIGINT)');
  });
});
