import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeSignature, parseTrustAnchors } from '../../detection/esp/index.js';
import { FormatError } from '../../parsers/common/errors.js';
import type { AuthenticodeResult, AuthenticodeSignature } from '../../parsers/pe/index.js';
import { runCli } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';

const MS = parseTrustAnchors(readFileSync(join(REPO_ROOT, 'rules/trust/microsoft-roots.pem'), 'utf8'), 'rules/trust/microsoft-roots.pem', true);
const root2011 = MS[1];

function sig(over: Partial<AuthenticodeSignature>): AuthenticodeSignature {
  return {
    status: 'valid',
    reason: '',
    entry: 0,
    depth: 0,
    digestAlgorithm: 'sha256',
    signedDigest: 'aa',
    calculatedDigest: 'aa',
    signer: null,
    chain: [],
    signingTime: null,
    signingTimeSource: null,
    nested: [],
    ...over,
  };
}
const result = (...signatures: AuthenticodeSignature[]): AuthenticodeResult => ({ status: signatures[0]?.status ?? 'unsigned', best: signatures[0] ?? null, signatures });
const cert = (subject: string, issuer: string, anchor?: { sha1: string; sha256: string }) => ({
  subject,
  issuer,
  serial: '01',
  sha1: anchor?.sha1 ?? '00',
  sha256: anchor?.sha256 ?? '00',
  notBefore: '',
  notAfter: '',
  isAnchor: anchor !== undefined,
});

const MSC = 'CN=Microsoft Corporation, O=Microsoft Corporation, L=Redmond, ST=Washington, C=US';
const PCA = 'CN=Microsoft Code Signing PCA 2011, O=Microsoft Corporation, L=Redmond, ST=Washington, C=US';

describe('judgeSignature', () => {
  it('valid through a shipped Microsoft root: Microsoft-signed, in words', () => {
    const s = sig({
      signer: { subject: MSC, issuer: PCA, serial: '01' },
      chain: [cert(MSC, PCA), cert(PCA, root2011?.subject ?? ''), cert(root2011?.subject ?? '', root2011?.subject ?? '', root2011)],
    });
    expect(judgeSignature(result(s), MS)).toEqual({
      status: 'valid',
      microsoftSigned: true,
      claimsMicrosoft: true,
      description: 'valid, Microsoft Corporation via Microsoft Code Signing PCA 2011',
      signer: MSC,
      signingTime: null,
    });
  });

  it('valid through a --trust anchor is not Microsoft-signed, even with a Microsoft subject', () => {
    const user = { ...(root2011 ?? MS[0]!), microsoft: false, source: 'ca.pem', sha256: 'ff', sha1: 'ff' };
    const s = sig({ signer: { subject: MSC, issuer: 'CN=Contoso CA', serial: '01' }, chain: [cert(MSC, 'CN=Contoso CA'), cert('CN=Contoso CA', 'CN=Contoso CA', user)] });
    const j = judgeSignature(result(s), [...MS, user]);
    expect(j).toMatchObject({ status: 'valid', microsoftSigned: false, claimsMicrosoft: true });
    expect(j.description).toBe('valid, Microsoft Corporation via Contoso CA (trusted by ca.pem)');
  });

  it('a forged self-signed Microsoft subject; a Microsoft claim only in a nested signature; "Not Microsoft" in OU is no claim', () => {
    const forged = sig({ status: 'untrusted', signer: { subject: MSC, issuer: MSC, serial: '01' }, chain: [cert(MSC, MSC)] });
    expect(judgeSignature(result(forged), MS)).toMatchObject({
      status: 'untrusted',
      microsoftSigned: false,
      claimsMicrosoft: true,
      description: 'untrusted self-signed certificate claiming Microsoft Corporation',
    });
    const evil = 'CN=Evil Ltd, OU=Not Microsoft, O=Evil Ltd';
    const outer = sig({
      status: 'untrusted',
      signer: { subject: evil, issuer: evil, serial: '01' },
      chain: [cert(evil, evil)],
      nested: [sig({ status: 'bad-digest', depth: 1, signer: { subject: MSC, issuer: PCA, serial: '02' } })],
    });
    expect(judgeSignature(result(outer), MS)).toMatchObject({ claimsMicrosoft: true, microsoftSigned: false, description: 'untrusted self-signed certificate claiming Microsoft Corporation' });
    expect(judgeSignature(result(sig({ status: 'untrusted', signer: { subject: evil, issuer: evil, serial: '01' }, chain: [cert(evil, evil)] })), MS)).toMatchObject({
      claimsMicrosoft: false,
      description: 'untrusted self-signed certificate of Evil Ltd',
    });
  });

  it('altered, bad signature, malformed, unsigned', () => {
    expect(judgeSignature(result(sig({ status: 'bad-digest', signer: { subject: MSC, issuer: PCA, serial: '01' } })), MS).description).toBe(
      'altered after signing (digest mismatch), signed by Microsoft Corporation',
    );
    expect(judgeSignature(result(sig({ status: 'bad-signature', reason: 'the signature does not verify' })), MS).description).toBe('signature does not verify (the signature does not verify)');
    expect(judgeSignature(result(sig({ status: 'malformed', reason: 'pe: x' })), MS).description).toBe('malformed signature (pe: x)');
    expect(judgeSignature(result(), MS)).toMatchObject({ status: 'unsigned', microsoftSigned: false, claimsMicrosoft: false, description: 'not signed' });
  });
});

describe('parseTrustAnchors', () => {
  it('a file with no certificate, or a broken one, is a FormatError naming the file', () => {
    expect(() => parseTrustAnchors('hello', 'x.pem', false)).toThrow(FormatError);
    expect(() => parseTrustAnchors('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', 'y.pem', false)).toThrow(/y\.pem: certificate at offset 0/);
  });

  it('espy scan --trust with a file that holds no certificate: one line, usage exit code', async () => {
    const r = await runCli(['scan', join(REPO_ROOT, 'test/fixtures/pe/plain.dll'), '--trust', join(REPO_ROOT, 'package.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--trust .*package\.json: no PEM certificate/);
  });
});
