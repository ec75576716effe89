import { describe, expect, it } from 'vitest';
import { parsePe } from '../../parsers/pe/index.js';
import { buildPe, SECTION_RAW, SECTION_RVA, type BuildPeSpec } from './build-pe.js';

const SPEC: Omit<BuildPeSpec, 'is64'> = {
  dllName: 'synth.dll',
  exports: [
    { name: '__GetXpVersion', ordinal: 1 },
    { name: 'xp_synth', ordinal: 2 },
    { name: null, ordinal: 5 },
  ],
  imports: [
    { dll: 'opends60.dll', functions: [{ name: 'srv_rpcparams' }, { name: 'srv_senddone' }] },
    { dll: 'WS2_32.dll', functions: [{ ordinal: 23 }, { name: 'connect' }] },
  ],
  timeDateStamp: 0x62a1b2c3,
};

/**
 * Field table of the headers: [field, expected(spec)], checked for PE32 and PE32+ at
 * two NT-header offsets (e_lfanew 0x40 and 0xa0), so every field is read relative to e_lfanew.
 */
const FIELDS = [
  ['machineName', (is64: boolean) => (is64 ? 'amd64' : 'i386')],
  ['is64', (is64: boolean) => is64],
  ['isDll', () => true],
  ['numberOfSections', () => 1],
  ['timeDateStamp', () => 0x62a1b2c3],
  ['timeDateStampIso', () => '2022-06-09T08:43:47Z'],
  ['imageBase', (is64: boolean) => (is64 ? '6442450944' : '268435456')],
  ['sectionAlignment', () => 0x1000],
  ['fileAlignment', () => 0x200],
  ['sizeOfHeaders', () => SECTION_RAW],
  ['subsystem', () => 2],
] as const;

describe.each([false, true])('synthetic PE (is64=%s)', (is64) => {
  describe.each([0x40, 0xa0])('e_lfanew 0x%s', (lfanew) => {
    const pe = parsePe(buildPe({ ...SPEC, is64, lfanew }));
    it.each(FIELDS)('%s', (field, want) => {
      expect(pe[field]).toEqual(want(is64));
    });
    it('section, exports, imports (by name and by ordinal), imphash with the ws2_32 ordinal table', () => {
      expect(pe.ntHeaderOffset).toBe(lfanew);
      expect(pe.sections).toEqual([expect.objectContaining({ name: '.rdata', virtualAddress: SECTION_RVA, pointerToRawData: SECTION_RAW })]);
      expect(pe.exportDllName).toBe('synth.dll');
      expect(pe.exports.map((e) => [e.ordinal, e.name])).toEqual([
        [1, '__GetXpVersion'],
        [2, 'xp_synth'],
        [5, null],
      ]);
      expect(pe.imports).toEqual([
        {
          dll: 'opends60.dll',
          functions: [
            { name: 'srv_rpcparams', ordinal: null, hint: 0 },
            { name: 'srv_senddone', ordinal: null, hint: 1 },
          ],
        },
        {
          dll: 'WS2_32.dll',
          functions: [
            { name: null, ordinal: 23, hint: null },
            { name: 'connect', ordinal: null, hint: 1 },
          ],
        },
      ]);
      // md5("opends60.srv_rpcparams,opends60.srv_senddone,ws2_32.socket,ws2_32.connect"), as pefile computes it.
      expect(pe.imphash).toBe('eca65b188220991f0f05894647c714c5');
      expect(pe.diagnostics).toEqual([]);
    });
  });
});
