import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Test keys and certificates made with openssl, and files signed with osslsigncode, in `dir`. */

const EXTENSIONS = `[v3_leaf]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=codeSigning
[v3_ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
[v3_tsa]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=critical,timeStamping
`;

export interface KeyPair {
  cert: string;
  key: string;
}

export interface TestPki {
  root: KeyPair;
  /** RSA leaf issued by `root`, code-signing EKU. */
  leaf: KeyPair;
  /** ECDSA P-256 leaf issued by `root`. */
  ecLeaf: KeyPair;
  /** Time-stamping certificate issued by `root`. */
  tsa: KeyPair;
  /** Self-signed, subject `O=Microsoft Corporation, CN=Microsoft Corporation`. */
  forged: KeyPair;
  /** Self-signed RSA signer. */
  selfSigned: KeyPair;
}

const openssl = (args: string[]): void => {
  execFileSync('openssl', args, { stdio: 'pipe' });
};

function issue(dir: string, name: string, subj: string, keyArgs: string[], ca: KeyPair, ext: string, cnf: string): KeyPair {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  openssl(['req', '-new', '-nodes', ...keyArgs, '-keyout', pair.key, '-out', join(dir, `${name}.csr`), '-subj', subj]);
  openssl([
    'x509',
    '-req',
    '-in',
    join(dir, `${name}.csr`),
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAserial',
    join(dir, 'ca.srl'),
    '-CAcreateserial',
    '-out',
    pair.cert,
    '-days',
    '365',
    '-extfile',
    cnf,
    '-extensions',
    ext,
  ]);
  return pair;
}

function selfSigned(dir: string, name: string, subj: string, ext: string, cnf: string): KeyPair {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', pair.key, '-out', pair.cert, '-days', '3650', '-subj', subj, '-config', cnf, '-extensions', ext]);
  return pair;
}

export function makePki(dir: string): TestPki {
  const cnf = join(dir, 'ext.cnf');
  writeFileSync(cnf, `[req]\ndistinguished_name=dn\n[dn]\n${EXTENSIONS}`);
  const root = selfSigned(dir, 'root', '/O=espy test/CN=espy differential root', 'v3_ca', cnf);
  return {
    root,
    leaf: issue(dir, 'leaf', '/O=espy test/CN=espy differential leaf', ['-newkey', 'rsa:2048'], root, 'v3_leaf', cnf),
    ecLeaf: issue(dir, 'ec', '/O=espy test/CN=espy ecdsa leaf', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], root, 'v3_leaf', cnf),
    tsa: issue(dir, 'tsa', '/O=espy test/CN=espy tsa', ['-newkey', 'rsa:2048'], root, 'v3_tsa', cnf),
    forged: selfSigned(dir, 'forged', '/C=US/ST=Washington/L=Redmond/O=Microsoft Corporation/CN=Microsoft Corporation', 'v3_leaf', cnf),
    selfSigned: selfSigned(dir, 'self', '/O=espy test/CN=espy self-signed', 'v3_leaf', cnf),
  };
}

export interface SignOptions {
  hash?: 'sha1' | 'sha256' | 'sha384' | 'sha512';
  /** Extra certificates for the SignedData (`-ac`). */
  extra?: string;
  /** Add a nested signature instead of replacing the first one. */
  nest?: boolean;
  /** RFC 3161 timestamp from this TSA at this unix time. */
  tsa?: KeyPair & { time: number };
}

export function osslsign(input: string, output: string, signer: KeyPair, o: SignOptions = {}): void {
  const args = ['sign', '-certs', signer.cert, '-key', signer.key, '-h', o.hash ?? 'sha256', '-in', input, '-out', output];
  if (o.extra) args.push('-ac', o.extra);
  if (o.nest) args.push('-nest');
  if (o.tsa) args.push('-TSA-certs', o.tsa.cert, '-TSA-key', o.tsa.key, '-TSA-time', String(o.tsa.time));
  execFileSync('osslsigncode', args, { stdio: 'pipe' });
}

export interface OsslVerdict {
  /** "Calculated message digest" per signature index, lower-case hex. */
  calculated: string[];
  current: string[];
  ok: boolean;
  /** osslsigncode could not read the file at all. */
  refused: boolean;
  output: string;
}

/** `osslsigncode verify [-CAfile]`: its digests and whether it says "Signature verification: ok" for every signature. */
export function osslverify(file: string, caFile?: string): OsslVerdict {
  const args = ['verify', '-in', file, ...(caFile ? ['-CAfile', caFile, '-TSA-CAfile', caFile] : [])];
  let output: string;
  try {
    output = execFileSync('osslsigncode', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    output = `${x.stdout ?? ''}${x.stderr ?? ''}`;
  }
  const grab = (label: string): string[] => [...output.matchAll(new RegExp(`${label}\\s*:\\s*([0-9A-F]+)`, 'g'))].map((m) => (m[1] ?? '').toLowerCase());
  const verdicts = [...output.matchAll(/^Signature verification: (\w+)/gm)].map((m) => m[1]);
  return {
    calculated: grab('Calculated message digest'),
    current: grab('Current message digest'),
    ok: verdicts.length > 0 && verdicts.every((v) => v === 'ok'),
    refused: verdicts.length === 0,
    output,
  };
}

/**
 * A leaf whose issuer chain loops: CA "A" is issued by "B" and "B" by "A" (cross-signed keys),
 * neither self-signed. Returns the leaf and a PEM file holding A and B.
 */
export function makeCycle(dir: string): { leaf: KeyPair; cas: string } {
  const cnf = join(dir, 'ext.cnf');
  writeFileSync(cnf, `[req]\ndistinguished_name=dn\n[dn]\n${EXTENSIONS}`);
  const b0 = selfSigned(dir, 'cycle-b0', '/O=espy test/CN=cycle B', 'v3_ca', cnf);
  const a = issue(dir, 'cycle-a', '/O=espy test/CN=cycle A', ['-newkey', 'rsa:2048'], b0, 'v3_ca', cnf);
  // B again, same key as b0, now issued by A: A → B → A → ...
  const b = { cert: join(dir, 'cycle-b.crt'), key: b0.key };
  openssl(['req', '-new', '-key', b0.key, '-out', join(dir, 'cycle-b.csr'), '-subj', '/O=espy test/CN=cycle B']);
  openssl([
    'x509',
    '-req',
    '-in',
    join(dir, 'cycle-b.csr'),
    '-CA',
    a.cert,
    '-CAkey',
    a.key,
    '-CAserial',
    join(dir, 'ca.srl'),
    '-CAcreateserial',
    '-out',
    b.cert,
    '-days',
    '365',
    '-extfile',
    cnf,
    '-extensions',
    'v3_ca',
  ]);
  const leaf = issue(dir, 'cycle-leaf', '/O=espy test/CN=cycle leaf', ['-newkey', 'rsa:2048'], a, 'v3_leaf', cnf);
  const cas = join(dir, 'cycle-cas.pem');
  writeFileSync(cas, `${readFileSync(a.cert, 'utf8')}${readFileSync(b.cert, 'utf8')}`);
  return { leaf, cas };
}
