import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KNOWN_ESPS, classifyFile, classifyLocation, parseTrustAnchors, type KnownEspData } from '../../detection/esp/index.js';
import { createYaraEngine } from '../../detection/yara/index.js';
import { embeddedCertificatesPem } from '../pe/authenticode-support.js';
import { fixture } from '../pe/fixtures.js';
import { SAMPLES } from '../support/paths.js';
import { espyRuleSources, publishedRuleSource } from '../yara/support.js';

describe('classifyLocation (original Windows path)', () => {
  it.each([
    ['C:\\Program Files\\Microsoft SQL Server\\MSSQL14.MSSQLSERVER\\MSSQL\\Binn\\xpstar.dll', 'binn'],
    ['d:\\program files\\microsoft sql server\\mssql16.SQLEXPRESS\\mssql\\binn\\x\\y.dll', 'binn'],
    ['C:/Program Files/Microsoft SQL Server/MSSQL13.REPORTING/MSSQL/Binn/xplog70.dll', 'binn'],
    ['C:\\Program Files\\Microsoft SQL Server\\140\\Tools\\Binn\\x.dll', 'sql-server'],
    ['C:\\Program Files\\Microsoft SQL Server\\MSSQL14.MSSQLSERVER\\MSSQL\\Log\\x.dll', 'sql-server'],
    ['C:\\ProgramData\\ExtendedProcedure.dll', 'outside'],
    ['C:\\Windows\\Temp\\Binn\\MSSQL\\x.dll', 'outside'],
    ['\\\\server\\share\\x.dll', 'outside'],
    ['relative\\x.dll', 'unknown'],
    ['', 'unknown'],
  ])('%s → %s', (p, want) => expect(classifyLocation(p)).toBe(want));
});

const BINN = 'C:\\Program Files\\Microsoft SQL Server\\MSSQL15.MSSQLSERVER\\MSSQL\\Binn\\';

describe('classifyFile without YARA', () => {
  it('hashes and basic facts; non-PE files are reported as such', async () => {
    const r = await classifyFile({ path: 'C:\\x\\notes.txt', bytes: new TextEncoder().encode('hello') }, { knownEsps: KNOWN_ESPS });
    expect(r).toMatchObject({
      isPe: false,
      isEsp: false,
      suspicion: 'unknown',
      size: 5,
      md5: '5d41402abc4b2a76b9719d911017c592',
      sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
    });
    expect(r.notPeReason).toMatch(/truncated reading dos_header/);
    const notMz = await classifyFile({ path: 'C:\\x\\a.bin', bytes: new Uint8Array(4096) }, { knownEsps: KNOWN_ESPS });
    expect(notMz.notPeReason).toMatch(/not an MZ file/);
  });

  it('an ESP: reasons record which evidence (import, export) and the procedures', async () => {
    const r = await classifyFile({ path: 'C:\\ProgramData\\xp_fixture.dll', bytes: fixture('xp_fixture.dll'), times: { modified: '2026-03-11T01:22:40.2000000Z' } }, { knownEsps: KNOWN_ESPS });
    expect(r.isEsp).toBe(true);
    expect(r.espReasons).toEqual(['imports opends60.dll', 'exports __GetXpVersion']);
    expect(r.procedures).toEqual(['xp_espy_fixture', 'xp_espy_version']);
    expect(r.times?.modified).toBe('2026-03-11T01:22:40.2000000Z');
    expect(r.location).toBe('outside');
    expect(r.suspicion).toBe('suspicious');
    expect(r.reasons).toEqual(expect.arrayContaining(['ESP DLL outside the SQL Server folders', 'not Authenticode-signed']));
  });

  it('a non-ESP DLL is benign and not an ESP', async () => {
    const r = await classifyFile({ path: `${BINN}plain.dll`, bytes: fixture('plain.dll') }, { knownEsps: KNOWN_ESPS });
    expect(r).toMatchObject({ isPe: true, isEsp: false, espReasons: [], suspicion: 'benign', location: 'binn' });
  });

  it('a handmade ESP without __GetXpVersion is suspicious even in Binn', async () => {
    const r = await classifyFile({ path: `${BINN}xplog70.dll`, bytes: fixture('maggie_like.dll') }, { knownEsps: KNOWN_ESPS });
    expect(r.espReasons).toEqual(['imports opends60.dll']);
    expect(r.suspicion).toBe('suspicious');
    expect(r.reasons.join('\n')).toMatch(/__GetXpVersion/);
    expect(r.reasons.join('\n')).toMatch(/maggie/);
  });

  it('known ESPs, trust anchors and companies are data: the same file is benign when the data vouches for it', async () => {
    const data: KnownEspData = {
      ...KNOWN_ESPS,
      dlls: [...KNOWN_ESPS.dlls, { dll: 'xp_fixture.dll', procedures: ['xp_espy_fixture', 'xp_espy_version'] }],
      microsoftCompanies: ['espy test fixtures'],
    };
    const path = `${BINN}xp_fixture.dll`;
    const signed = fixture('xp_fixture_signed.dll');
    // Trusted as if it were a Microsoft root: only a verified chain to such an anchor vouches.
    const trust = parseTrustAnchors(embeddedCertificatesPem(signed).join('\n'), 'test', true);
    const benign = await classifyFile({ path, bytes: signed }, { knownEsps: data, trust });
    expect(benign.suspicion).toBe('benign');
    expect(benign.signer).toBe('CN=espy fixture signer, O=espy test, C=XX');
    expect(benign.signature).toMatchObject({ status: 'valid', microsoftSigned: true });
    const notMicrosoft = await classifyFile({ path, bytes: signed }, { knownEsps: data, trust: trust.map((t) => ({ ...t, microsoft: false })) });
    expect(notMicrosoft.signature).toMatchObject({ status: 'valid', microsoftSigned: false });
    expect(notMicrosoft.suspicion).toBe('unknown');
    // A signer's subject never vouches on its own: without the anchor the chain is untrusted.
    const untrusted = await classifyFile({ path, bytes: signed }, { knownEsps: data });
    expect(untrusted.signature.status).toBe('untrusted');
    expect(untrusted.suspicion).toBe('unknown');
    const unsigned = await classifyFile({ path, bytes: fixture('xp_fixture.dll') }, { knownEsps: data });
    expect(unsigned.suspicion).toBe('unknown');
    expect(unsigned.reasons).toContain('not Authenticode-signed');
    const stock = await classifyFile({ path, bytes: fixture('xp_fixture_signed.dll') }, { knownEsps: KNOWN_ESPS });
    expect(stock.suspicion).toBe('suspicious');
  });
});

describe('classifyFile with YARA on the sample hosts', () => {
  const engine = createYaraEngine();
  afterAll(() => engine.close());
  const host = (rel: string): { path: string; bytes: Uint8Array } => ({ path: `C:\\${rel.split('/').slice(1).join('\\')}`, bytes: new Uint8Array(readFileSync(join(SAMPLES, rel))) });
  const binn14 = 'Program Files/Microsoft SQL Server/MSSQL14.MSSQLSERVER/MSSQL/Binn';

  it('Maggie-like, renamed backdoor and Binn stand-ins are told apart', async () => {
    const yara = await engine.compile([...espyRuleSources(), publishedRuleSource()]);
    expect(yara.errors).toEqual([]);
    const opts = { yara, knownEsps: KNOWN_ESPS };
    const maggie = await classifyFile(host('host-maggie/ProgramData/ExtendedProcedure.dll'), opts);
    expect(maggie).toMatchObject({ path: 'C:\\ProgramData\\ExtendedProcedure.dll', isEsp: true, location: 'outside', suspicion: 'malicious' });
    expect(maggie.procedures).toEqual(['maggie']);
    expect(maggie.yara.map((h) => h.rule)).toEqual(expect.arrayContaining(['maggie_backdoor', 'espy_maggie_esp_backdoor']));

    const renamed = await classifyFile(host('host-renamed/Windows/Temp/dbmaint64.dll'), opts);
    expect(renamed).toMatchObject({ isEsp: true, location: 'outside', suspicion: 'suspicious', yara: [] });
    expect(renamed.procedures).toEqual(['xp_dbmaint']);

    for (const dll of ['xpstar.dll', 'xplog70.dll', 'xpsqlbot.dll']) {
      for (const h of ['host-clean', 'host-maggie']) {
        const r = await classifyFile(host(`${h}/${binn14}/${dll}`), opts);
        expect(r, `${h} ${dll}`).toMatchObject({ isEsp: true, location: 'binn', yara: [], suspicion: 'unknown' });
      }
    }
  });
});
