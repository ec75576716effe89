import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeSignature, parseTrustAnchors, type TrustAnchor } from '../../detection/esp/index.js';
import { parsePe, verifyAuthenticode } from '../../parsers/pe/index.js';
import { runCli } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';
import { embeddedCertificatesPem } from './authenticode-support.js';
import { makePki, osslsign, type TestPki } from './signing.js';

const MS_ROOTS = parseTrustAnchors(readFileSync(join(REPO_ROOT, 'rules/trust/microsoft-roots.pem'), 'utf8'), 'rules/trust/microsoft-roots.pem', true);

describe('shipped Microsoft trust anchors', () => {
  it('are the two Microsoft code-signing roots, by thumbprint', () => {
    expect(MS_ROOTS.map((a) => [a.sha1, a.subject.split(',')[0]])).toEqual([
      ['3b1efd3a66ea28b16697394703a72ca340a05bd5', 'CN=Microsoft Root Certificate Authority 2010'],
      ['8f43288ad272f3103b6fb1428485ea3014c0bcfe', 'CN=Microsoft Root Certificate Authority 2011'],
    ]);
  });
});

/** Debian's shim-signed: a real PE dual-signed by Microsoft, intermediates inside, roots not shipped. */
function fetchShim(dir: string): Uint8Array | string {
  try {
    execFileSync('apt-get', ['download', 'shim-signed'], { cwd: dir, stdio: 'pipe', timeout: 120_000 });
    const deb = readdirSync(dir).find((n) => n.endsWith('.deb'));
    if (!deb) return 'apt-get download shim-signed gave no .deb';
    execFileSync('dpkg-deb', ['-x', join(dir, deb), join(dir, 'x')], { stdio: 'pipe' });
    return new Uint8Array(readFileSync(join(dir, 'x/usr/lib/shim/shimx64.efi.signed')));
  } catch (e) {
    return `apt-get download shim-signed failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  }
}

describe('a real Microsoft dual signature (shim-signed)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'espy-shim-'));
  const shim = fetchShim(dir);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const skip = typeof shim === 'string' ? shim : false;

  it.skipIf(skip)('two WIN_CERTIFICATE signatures with their chains; the included intermediates as anchors make both valid', () => {
    const bytes = shim as Uint8Array;
    const pe = parsePe(bytes);
    const bare = verifyAuthenticode(bytes, pe, { anchors: MS_ROOTS, now: new Date() });
    expect(bare.signatures).toHaveLength(2);
    for (const s of bare.signatures) {
      expect(s.digestAlgorithm).toBe('sha256');
      expect(s.calculatedDigest).toBe(s.signedDigest);
      expect(s.signer?.subject).toMatch(/O=Microsoft Corporation/);
      expect(s.chain).toHaveLength(2);
    }
    expect(bare.signatures.map((s) => s.chain.map((c) => /^CN=([^,]+)/.exec(c.subject)?.[1]))).toEqual([
      ['Microsoft Windows UEFI Driver Publisher', 'Microsoft Corporation UEFI CA 2011'],
      ['Microsoft UEFI CA 2023 signer', 'Microsoft UEFI CA 2023'],
    ]);
    // Only the Microsoft code-signing roots: the UEFI roots are not shipped, so not trusted.
    expect(bare.status).toBe('untrusted');
    const judged = judgeSignature(bare, MS_ROOTS);
    expect(judged).toMatchObject({ status: 'untrusted', microsoftSigned: false, claimsMicrosoft: true });

    const intermediates = new Set(bare.signatures.map((s) => s.chain[1]?.sha1));
    const anchors = embeddedCertificatesPem(bytes)
      .flatMap((pem) => parseTrustAnchors(pem, 'shim', false))
      .filter((a) => intermediates.has(a.sha1));
    expect(anchors).toHaveLength(2);
    // Inside both signer certificates' validity (they are short-lived and there is no timestamp).
    const leaves = bare.signatures.map((s) => s.chain[0]);
    const now = new Date(Math.max(...leaves.map((c) => Date.parse(c?.notBefore ?? ''))) + 86_400_000);
    const trusted = verifyAuthenticode(bytes, pe, { anchors, now });
    expect(trusted.signatures.map((s) => s.status)).toEqual(['valid', 'valid']);
    expect(trusted.signatures.map((s) => s.chain.map((c) => c.isAnchor))).toEqual([
      [false, true],
      [false, true],
    ]);
    expect(judgeSignature(trusted, anchors)).toMatchObject({ status: 'valid', microsoftSigned: false, description: expect.stringMatching(/^valid, Microsoft Corporation via Microsoft/) as string });
    expect(
      judgeSignature(
        trusted,
        anchors.map((a): TrustAnchor => ({ ...a, microsoft: true })),
      ).microsoftSigned,
    ).toBe(true);
  });

  it.skipIf(skip)('espy scan --json shows both signatures with their chains', async () => {
    const r = await runCli(['scan', join(dir, 'x/usr/lib/shim/shimx64.efi.signed'), '--no-builtin-rules', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const row = JSON.parse(r.stdout) as {
      signature: { status: string; claimsMicrosoft: boolean; microsoftSigned: boolean };
      authenticode: { signatures: { signer: { subject: string }; chain: { subject: string; sha1: string }[] }[] };
    };
    expect(row.signature).toMatchObject({ status: 'untrusted', claimsMicrosoft: true, microsoftSigned: false });
    expect(row.authenticode.signatures.map((s) => s.chain.length)).toEqual([2, 2]);
    expect(row.authenticode.signatures[1]?.chain[1]?.subject).toMatch(/^CN=Microsoft UEFI CA 2023/);
  });
});

describe('espy scan --json on forged and altered signatures', () => {
  let dir = '';
  let pki: TestPki;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'espy-forged-'));
    pki = makePki(dir);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a self-signed "O=Microsoft Corporation, CN=Microsoft Corporation" signer is untrusted, claims Microsoft, is not Microsoft-signed; a byte changed after signing is bad-digest', async () => {
    const src = join(dir, 'xpstar.dll');
    copyFileSync(join(REPO_ROOT, 'scripts/samples/dlls/out/xpstar.dll'), src);
    const forged = join(dir, 'forged.dll');
    osslsign(src, forged, pki.forged);
    const altered = join(dir, 'altered.dll');
    osslsign(src, altered, pki.leaf, { extra: pki.root.cert });
    const b = readFileSync(altered);
    const at = (parsePe(b).sections[0]?.pointerToRawData ?? 0x400) + 16;
    b[at] = (b[at] ?? 0) ^ 0xff;
    writeFileSync(altered, b);

    const r = await runCli(['scan', forged, altered, '--trust', pki.root.cert, '--no-builtin-rules', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; signature: Record<string, unknown>; suspicion: string; authenticode: { signatures: { calculatedDigest: string; signedDigest: string }[] } });
    const [f, a] = rows;
    expect(f?.signature).toMatchObject({ status: 'untrusted', claimsMicrosoft: true, microsoftSigned: false, description: 'untrusted self-signed certificate claiming Microsoft Corporation' });
    expect(f?.suspicion).not.toBe('benign');
    expect(a?.signature).toMatchObject({ status: 'bad-digest', microsoftSigned: false });
    expect(a?.signature.description).toMatch(/^altered after signing \(digest mismatch\)/);
    const s = a?.authenticode.signatures[0];
    expect(s?.calculatedDigest).not.toBe(s?.signedDigest);
  }, 60_000);
});
