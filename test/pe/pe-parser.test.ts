import { describe, expect, it } from 'vitest';
import { memorySource } from '../../parsers/common/index.js';
import { parsePe, readPeHeaders } from '../../parsers/pe/index.js';
import { fixture } from './fixtures.js';

describe('parsePe on espy fixtures', () => {
  it('reads an ESP DLL: exports, opends60 imports, delay import, version info', () => {
    const pe = parsePe(fixture('xp_fixture.dll'));
    expect(pe.is64).toBe(true);
    expect(pe.isDll).toBe(true);
    expect(pe.machineName).toBe('amd64');
    expect(pe.exports.map((e) => [e.ordinal, e.name])).toEqual([
      [1, '__GetXpVersion'],
      [2, 'xp_espy_fixture'],
      [3, 'xp_espy_version'],
    ]);
    const ods = pe.imports.find((i) => i.dll === 'opends60.dll');
    expect(ods?.functions.map((f) => f.name).sort()).toEqual(['srv_rpcparams', 'srv_senddone', 'srv_sendmsg']);
    expect(pe.delayImports.map((d) => [d.dll, d.functions.map((f) => f.name)])).toEqual([['version.dll', ['GetFileVersionInfoSizeA']]]);
    expect(pe.versionInfo).toMatchObject({
      fileVersion: '1.2.3.4',
      productVersion: '1.2.0.0',
      companyName: 'espy test fixtures',
      fileDescription: 'espy ESP test DLL',
      originalFilename: 'xp_fixture.dll',
      productName: 'espy',
      fileVersionString: '1.2.3.4',
    });
    expect(pe.signature.present).toBe(false);
    expect(pe.imphash).toMatch(/^[0-9a-f]{32}$/);
    expect(pe.sections.map((s) => s.name)).toContain('.text');
  });

  it('reads the Authenticode signer subject of a signed DLL', () => {
    const pe = parsePe(fixture('xp_fixture_signed.dll'));
    expect(pe.signature).toMatchObject({ present: true, certificateType: 2, signerSubject: 'CN=espy fixture signer, O=espy test, C=XX' });
    expect(pe.signature.offset + pe.signature.size).toBe(pe.size);
    expect(pe.overlayOffset).toBeNull();
  });

  it('reads ordinal-only exports and ordinal imports (imphash uses the ws2_32 name table)', () => {
    const pe = parsePe(fixture('plain.dll'));
    expect(pe.exports).toEqual(expect.arrayContaining([expect.objectContaining({ ordinal: 7, name: null }), expect.objectContaining({ ordinal: 1, name: 'plain_add' })]));
    const ws2 = pe.imports.find((i) => i.dll === 'ws2_32.dll');
    expect(ws2?.functions).toEqual([{ name: null, ordinal: 9, hint: null }]);
    expect(pe.versionInfo).toBeNull();
  });

  it('readPeHeaders reads only the header window through a ByteSource', async () => {
    const bytes = fixture('xp_fixture.dll');
    let maxEnd = 0;
    const src = memorySource(bytes);
    const spy = { size: src.size, read: (o: number, n: number) => ((maxEnd = Math.max(maxEnd, o + n)), src.read(o, n)) };
    const h = await readPeHeaders(spy);
    expect(h.sections.length).toBe(parsePe(bytes).sections.length);
    expect(h.timeDateStamp).toBe(parsePe(bytes).timeDateStamp);
    expect(maxEnd).toBeLessThanOrEqual(64 * 1024);
  });
});
