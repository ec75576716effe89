import { describe, expect, it } from 'vitest';
import { placesOfNamedDll } from '../../detection/mssql/index.js';

const BINN = ['C:\\Program Files\\Microsoft SQL Server\\MSSQL14.MSSQLSERVER\\MSSQL\\Binn', 'D:\\SQL\\MSSQL15.X\\MSSQL\\Binn'];

describe('placesOfNamedDll', () => {
  it('looks for a bare name in every Binn folder, and a miss proves nothing', () => {
    expect(placesOfNamedDll('xplog70.dll', BINN)).toEqual({
      candidates: [`${BINN[0]}\\xplog70.dll`, `${BINN[1]}\\xplog70.dll`],
      absenceIsEvidence: false,
    });
    expect(placesOfNamedDll('xplog70.dll', [])).toEqual({ candidates: [], absenceIsEvidence: false });
  });

  it('looks for a path only there, and a miss is a finding', () => {
    expect(placesOfNamedDll('C:\\Windows\\Temp\\sqlmaggieAntiVirus_64.dll', BINN)).toEqual({
      candidates: ['C:\\Windows\\Temp\\sqlmaggieAntiVirus_64.dll'],
      absenceIsEvidence: true,
    });
    expect(placesOfNamedDll('sub/evil.dll', BINN).absenceIsEvidence).toBe(true);
  });

  it('takes a UNC path as a path', () => {
    expect(placesOfNamedDll('\\\\srv\\share\\a.dll', BINN)).toEqual({ candidates: ['\\\\srv\\share\\a.dll'], absenceIsEvidence: true });
  });
});
