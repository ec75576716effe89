import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrustAnchors } from '../../detection/esp/index.js';
import { ImageDirectoryEntry, parsePe, verifyAuthenticode, type AuthenticodeSignature, type AuthenticodeStatus } from '../../parsers/pe/index.js';
import { REPO_ROOT } from '../support/paths.js';
import { makePki, osslsign, osslverify, type KeyPair, type SignOptions, type TestPki } from '../pe/signing.js';

/**
 * Differential test against osslsigncode: DLLs built with mingw (sample and fixture DLLs) are
 * signed at test time with keys made by openssl (RSA SHA-1/256/384/512, a CA + leaf chain,
 * ECDSA, nested signatures, an RFC 3161 timestamp, a self-signed and a forged-Microsoft signer),
 * some altered after signing. For each file espy's calculated digest equals osslsigncode's
 * "Calculated message digest" for every signature, and espy says `valid` exactly when
 * `osslsigncode verify -CAfile <anchor>` says "Signature verification: ok".
 */
const BASES = [
  'scripts/samples/dlls/out/xpstar.dll',
  'scripts/samples/dlls/out/xplog70.dll',
  'scripts/samples/dlls/out/xpsqlbot.dll',
  'scripts/samples/dlls/out/maggie-like.dll',
  'scripts/samples/dlls/out/dbmaint64.dll',
  'test/fixtures/pe/plain.dll',
  'test/fixtures/pe/xp_fixture.dll',
  'test/fixtures/pe/maggie_like.dll',
].map((p) => join(REPO_ROOT, p));

type Alter = (b: Buffer) => Buffer;
interface Case {
  name: string;
  base: string;
  signer: (pki: TestPki) => KeyPair;
  opts?: (pki: TestPki) => SignOptions;
  /** A second, nested signature. */
  nest?: { signer: (pki: TestPki) => KeyPair; hash: NonNullable<SignOptions['hash']> };
  alter?: Alter;
  /** The anchor given to both tools (default: the test root). */
  anchor?: (pki: TestPki) => string;
  want: AuthenticodeStatus;
}

const withRoot = (pki: TestPki): SignOptions => ({ extra: pki.root.cert });
/** Flips one byte of the first section's raw data (code after signing). */
const flipSection: Alter = (b) => {
  const pe = parsePe(b);
  const s = pe.sections.find((x) => x.sizeOfRawData > 16);
  const at = (s?.pointerToRawData ?? 0x400) + 8;
  b[at] = (b[at] ?? 0) ^ 0xff;
  return b;
};
/** Flips the TimeDateStamp in the COFF header (hashed). */
const flipHeader: Alter = (b) => {
  const at = b.readUInt32LE(0x3c) + 8;
  b[at] = (b[at] ?? 0) ^ 0x01;
  return b;
};
/** Changes the optional header CheckSum (not hashed: still valid). */
const flipChecksum: Alter = (b) => {
  const at = b.readUInt32LE(0x3c) + 24 + 64;
  b[at] = (b[at] ?? 0) ^ 0x5a;
  return b;
};
/** Data appended after the certificate table. */
const append: Alter = (b) => Buffer.concat([b, Buffer.from('appended after signing')]);
/** Flips a byte near the end of the PKCS#7: inside the SignerInfo's encryptedDigest. */
const flipSignature: Alter = (b) => {
  const sec = parsePe(b).dataDirectories[ImageDirectoryEntry.Security];
  const at = (sec?.virtualAddress ?? 0) + b.readUInt32LE(sec?.virtualAddress ?? 0) - 20;
  b[at] = (b[at] ?? 0) ^ 0xff;
  return b;
};

const CASES: Case[] = [
  ...BASES.map((base): Case => ({ name: `${basename(base)} rsa sha256 chain`, base, signer: (p) => p.leaf, opts: withRoot, want: 'valid' })),
  ...(['sha1', 'sha384', 'sha512'] as const).map((hash): Case => ({ name: `xpstar ${hash}`, base: BASES[0] as string, signer: (p) => p.leaf, opts: (p) => ({ ...withRoot(p), hash }), want: 'valid' })),
  { name: 'xplog70 ecdsa leaf', base: BASES[1] as string, signer: (p) => p.ecLeaf, opts: withRoot, want: 'valid' },
  { name: 'xpsqlbot self-signed', base: BASES[2] as string, signer: (p) => p.selfSigned, want: 'untrusted' },
  { name: 'xpsqlbot self-signed, itself the anchor', base: BASES[2] as string, signer: (p) => p.selfSigned, anchor: (p) => p.selfSigned.cert, want: 'valid' },
  { name: 'xpstar forged Microsoft signer', base: BASES[0] as string, signer: (p) => p.forged, want: 'untrusted' },
  { name: 'xpstar chain without the root inside', base: BASES[0] as string, signer: (p) => p.leaf, want: 'valid' },
  {
    name: 'xpstar sha1 + nested sha256',
    base: BASES[0] as string,
    signer: (p) => p.leaf,
    opts: (p) => ({ ...withRoot(p), hash: 'sha1' }),
    nest: { signer: (p) => p.leaf, hash: 'sha256' },
    want: 'valid',
  },
  {
    name: 'xplog70 RFC 3161 timestamp',
    base: BASES[1] as string,
    signer: (p) => p.leaf,
    opts: (p) => ({ ...withRoot(p), tsa: { ...p.tsa, time: Math.floor(Date.now() / 1000) + 60 } }),
    want: 'valid',
  },
  { name: 'xpstar section byte flipped', base: BASES[0] as string, signer: (p) => p.leaf, opts: withRoot, alter: flipSection, want: 'bad-digest' },
  { name: 'maggie-like section byte flipped', base: BASES[3] as string, signer: (p) => p.leaf, opts: withRoot, alter: flipSection, want: 'bad-digest' },
  { name: 'xplog70 header byte flipped', base: BASES[1] as string, signer: (p) => p.leaf, opts: withRoot, alter: flipHeader, want: 'bad-digest' },
  { name: 'xplog70 checksum changed', base: BASES[1] as string, signer: (p) => p.leaf, opts: withRoot, alter: flipChecksum, want: 'valid' },
  { name: 'xpsqlbot forged signer, then altered', base: BASES[2] as string, signer: (p) => p.forged, alter: flipSection, want: 'bad-digest' },
  { name: 'xpstar encryptedDigest byte flipped', base: BASES[0] as string, signer: (p) => p.leaf, alter: flipSignature, want: 'bad-signature' },
  { name: 'xpstar data appended after the signature', base: BASES[0] as string, signer: (p) => p.leaf, opts: withRoot, alter: append, want: 'bad-digest' },
];

const all = (sigs: readonly AuthenticodeSignature[]): AuthenticodeSignature[] => sigs.flatMap((s) => [s, ...all(s.nested)]);

describe('Authenticode: espy against osslsigncode', () => {
  let dir = '';
  let pki: TestPki;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'espy-authenticode-'));
    pki = makePki(dir);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`covers at least 20 signed and altered files (${CASES.length})`, () => expect(CASES.length).toBeGreaterThanOrEqual(20));

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', (_name, c, i) => {
    const signed = join(dir, `case${i}.dll`);
    copyFileSync(c.base, join(dir, `in${i}.dll`));
    osslsign(join(dir, `in${i}.dll`), signed, c.signer(pki), c.opts?.(pki));
    if (c.nest) {
      osslsign(signed, `${signed}.n`, c.nest.signer(pki), { ...withRoot(pki), hash: c.nest.hash, nest: true });
      copyFileSync(`${signed}.n`, signed);
    }
    if (c.alter) writeFileSync(signed, c.alter(readFileSync(signed)));

    const anchorFile = c.anchor?.(pki) ?? pki.root.cert;
    const anchors = parseTrustAnchors(readFileSync(anchorFile, 'utf8'), anchorFile, false);
    const bytes = new Uint8Array(readFileSync(signed));
    const espy = verifyAuthenticode(bytes, parsePe(bytes), { anchors, now: new Date() });
    const ossl = osslverify(signed, anchorFile);

    expect(espy.status, espy.best?.reason).toBe(c.want);
    if (ossl.refused) {
      // osslsigncode will not read a file with data after its signature; espy calls it altered.
      expect(c.alter).toBe(append);
      return;
    }
    const sigs = all(espy.signatures);
    expect(sigs.map((s) => s.calculatedDigest)).toEqual(ossl.calculated);
    expect(sigs.map((s) => s.signedDigest)).toEqual(ossl.current);
    expect(espy.status === 'valid', ossl.output).toBe(ossl.ok);
    if (c.opts?.(pki).tsa) expect(espy.best).toMatchObject({ signingTimeSource: 'rfc3161' });
    if (c.nest) expect(sigs.map((s) => s.status)).toEqual(['valid', 'valid']);
  });
});
