import { constants, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../parsers/common/byte-reader.js';
import { checkSignature } from '../../parsers/pe/authenticode/signer.js';
import type { SignedData } from '../../parsers/pe/authenticode/cms.js';
import { readDer } from '../../parsers/pe/der.js';

/**
 * Signature schemes the SignerInfo check accepts, on signatures node:crypto makes (osslsigncode
 * cannot sign with RSA-PSS, so the differential test has no PSS file).
 */
const data = new TextEncoder().encode('authenticated attributes, DER as a SET');

/** RSASSA-PSS-params { [0] hashAlgorithm sha256, [1] mgf1(sha256), [2] saltLength } (RFC 4055). */
function pssParams(salt: number): { sd: SignedData; alg: { oid: string; params: ReturnType<typeof readDer> } } {
  const sha256 = '300d06096086480165030402010500';
  const mgf1 = '301a06092a864886f70d010108300d06096086480165030402010500';
  const a0 = `a00f${sha256}`;
  const a1 = `a11c${mgf1}`;
  const a2 = `a2030201${salt.toString(16).padStart(2, '0')}`;
  const body = a0 + a1 + a2;
  const bytes = Buffer.from(`30${(body.length / 2).toString(16)}${body}`, 'hex');
  const r = new ByteReader(new Uint8Array(bytes), 0, 'pe');
  return { sd: { r } as SignedData, alg: { oid: '1.2.840.113549.1.1.10', params: readDer(r, 0, bytes.byteLength) } };
}

describe('SignerInfo signature schemes', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const none = { r: new ByteReader(new Uint8Array(0), 0, 'pe') } as SignedData;

  it('RSA-PSS with the salt length its parameters name; a different salt does not verify', () => {
    const sig = sign('sha256', data, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    const ok = pssParams(32);
    expect(checkSignature(ok.sd, ok.alg, 'sha256', data, rsa.publicKey, sig)).toBe(true);
    const other = pssParams(20);
    expect(checkSignature(other.sd, other.alg, 'sha256', data, rsa.publicKey, sig)).toBe(false);
  });

  it('RSA PKCS#1 v1.5 under rsaEncryption and sha256WithRSAEncryption; ECDSA; a changed byte fails', () => {
    const sig = sign('sha256', data, rsa.privateKey);
    expect(checkSignature(none, { oid: '1.2.840.113549.1.1.1', params: undefined }, 'sha256', data, rsa.publicKey, sig)).toBe(true);
    expect(checkSignature(none, { oid: '1.2.840.113549.1.1.11', params: undefined }, 'sha1', data, rsa.publicKey, sig)).toBe(true);
    const esig = sign('sha256', data, ec.privateKey);
    expect(checkSignature(none, { oid: '1.2.840.10045.2.1', params: undefined }, 'sha256', data, ec.publicKey, esig)).toBe(true);
    const bad = Buffer.from(esig);
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 1;
    expect(checkSignature(none, { oid: '1.2.840.10045.4.3.2', params: undefined }, 'sha256', data, ec.publicKey, bad)).toBe(false);
    expect(checkSignature(none, { oid: '1.2.840.10045.4.3.2', params: undefined }, 'sha256', data, rsa.publicKey, esig)).toBe(false);
  });

  it('an unknown signature algorithm is refused by name, not guessed', () => {
    expect(() => checkSignature(none, { oid: '1.2.840.10040.4.3', params: undefined }, 'sha1', data, rsa.publicKey, new Uint8Array(8))).toThrow(/1\.2\.840\.10040\.4\.3 is not supported/);
  });
});
