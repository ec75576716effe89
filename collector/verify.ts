/**
 * `verify`: recompute every hash of a bundle against its manifest and the bundle's own
 * SHA-256 against the `<bundle>.sha256` sidecar; list missing, extra and altered entries.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isBundleLayout, STORED_DRIVE_RE, topName } from './bundle-layout.js';
import { HashTee } from './hashing.js';
import { openMaybeSealedBundle } from './seal/open.js';
import { ZipFormatError } from './zip-reader.js';

export interface VerifyProblem {
  name: string;
  problem: 'missing' | 'extra' | 'altered' | 'unreadable' | 'refused' | 'encrypted';
  detail: string;
}

export interface VerifyReport {
  bundle: string;
  ok: boolean;
  sidecar: 'ok' | 'mismatch' | 'missing' | 'not-applicable';
  /** The bundle is an age file, checked through its decrypted chunks. */
  sealed?: boolean;
  bundleSha256?: string;
  sidecarSha256?: string;
  manifestError?: string;
  /** Set when the path is a folder with no manifest.json: not a bundle at all (a usage error, not a failed check). */
  notABundle?: string;
  incomplete: boolean;
  checked: number;
  problems: VerifyProblem[];
}

/** The reason an aborted `signal` gives, as an Error to throw. */
function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('interrupted');
}

async function fileSha256(path: string, signal: AbortSignal | undefined): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) }) as AsyncIterable<Buffer>) h.update(chunk);
  return h.digest('hex');
}

/** The bundle file's SHA-256 against its `.sha256` sidecar, into `report`. */
async function checkSidecar(path: string, report: VerifyReport, signal?: AbortSignal): Promise<void> {
  report.bundleSha256 = await fileSha256(path, signal);
  const side = await readFile(`${path}.sha256`, 'utf8').catch(() => undefined);
  if (side === undefined) report.sidecar = 'missing';
  else {
    report.sidecarSha256 = (/^[0-9a-fA-F]{64}/.exec(side.trim())?.[0] ?? '').toLowerCase();
    report.sidecar = report.sidecarSha256 === report.bundleSha256 ? 'ok' : 'mismatch';
  }
}

/**
 * A file that cannot be opened as a zip. With a sidecar, or when it starts like a zip, it is
 * a damaged bundle: a failed check whose report names the sidecar's verdict. A file that is
 * not a zip and has no sidecar is not a bundle at all: the error is thrown again.
 */
async function unreadableZip(path: string, e: ZipFormatError, signal: AbortSignal | undefined): Promise<VerifyReport> {
  const abs = resolve(path);
  const report: VerifyReport = { bundle: abs, ok: false, sidecar: 'not-applicable', incomplete: false, checked: 0, problems: [] };
  await checkSidecar(abs, report, signal);
  if (e.code === 'NOT_ZIP' && report.sidecar === 'missing') throw e;
  report.manifestError = `the bundle cannot be read as a zip: ${e.message}`;
  return report;
}

export async function verifyBundle(path: string, opts: { signal?: AbortSignal; password?: Buffer; identities?: readonly string[] } = {}): Promise<VerifyReport> {
  let b: Awaited<ReturnType<typeof openMaybeSealedBundle>>;
  try {
    b = await openMaybeSealedBundle(path, {
      ...(opts.password ? { password: opts.password } : {}),
      ...(opts.identities ? { identities: opts.identities } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (e) {
    if (e instanceof ZipFormatError && (await stat(path)).isFile()) return unreadableZip(path, e, opts.signal);
    throw e;
  }
  const report: VerifyReport = { bundle: b.path, ok: true, sidecar: 'not-applicable', incomplete: false, checked: 0, problems: [], ...(b.sealed ? { sealed: true } : {}) };
  try {
    if (b.kind === 'zip') await checkSidecar(b.path, report, opts.signal);
    if (b.kind === 'folder' && !b.entries.has('manifest.json')) {
      // A folder laid out as a bundle (stored files and espy's records) that lost its manifest fails the check.
      const names = [...b.entries.keys()];
      if (
        !isBundleLayout(
          new Set(names.map(topName)),
          names.some((n) => STORED_DRIVE_RE.test(n)),
        )
      )
        report.notABundle = 'a folder with no manifest.json (not an espy bundle)';
    }
    for (const r of b.refused) report.problems.push({ name: r.name, problem: 'refused', detail: `unsafe entry name (${r.reason})` });
    const m = b.manifest;
    if (!m) {
      report.manifestError = b.manifestError ?? 'no manifest';
      report.ok = false;
      return report;
    }
    report.incomplete = m.incomplete;
    const expected = new Map<string, { size: number; sha256?: string | undefined; sha1?: string | undefined; md5?: string | undefined }>();
    for (const f of m.files) if (f.storedPath) expected.set(f.storedPath, f);
    for (const e of m.entries) expected.set(e.name, e);
    for (const [name, want] of expected) {
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      const have = b.entries.get(name);
      if (!have) {
        report.problems.push({ name, problem: 'missing', detail: 'listed in the manifest, not in the bundle' });
        continue;
      }
      if (have.encrypted && !opts.password) {
        report.problems.push({ name, problem: 'encrypted', detail: 'AES-encrypted entry: content hash not recomputed (give the password)' });
        continue;
      }
      const tee = new HashTee(want.size);
      // Ctrl-C part-way through one large entry stops its read, not only the loop over entries.
      let stop: (() => void) | undefined;
      try {
        const s = await b.stream(name);
        s.pipe(tee);
        tee.resume();
        await new Promise<void>((res, rej) => {
          stop = () => s.destroy(abortReason(opts.signal as AbortSignal));
          opts.signal?.addEventListener('abort', stop, { once: true });
          tee.on('end', res);
          s.on('error', rej);
          tee.on('error', rej);
        });
      } catch (e) {
        if (opts.signal?.aborted) throw abortReason(opts.signal);
        report.problems.push({ name, problem: 'unreadable', detail: (e as Error).message });
        continue;
      } finally {
        if (stop) opts.signal?.removeEventListener('abort', stop);
      }
      const d = await tee.digests();
      report.checked++;
      const diffs: string[] = [];
      if (d.size !== want.size) diffs.push(`size ${d.size} != ${want.size}`);
      if (want.sha256 && d.sha256 !== want.sha256) diffs.push(`sha256 ${d.sha256} != ${want.sha256}`);
      if (want.sha1 && d.sha1 !== want.sha1) diffs.push('sha1 differs');
      if (want.md5 && d.md5 !== want.md5) diffs.push('md5 differs');
      if (diffs.length > 0) report.problems.push({ name, problem: 'altered', detail: diffs.join('; ') });
    }
    for (const name of b.entries.keys()) {
      if (name !== 'manifest.json' && !expected.has(name)) report.problems.push({ name, problem: 'extra', detail: 'in the bundle, not in the manifest' });
    }
    report.ok = report.sidecar !== 'mismatch' && report.problems.every((p) => p.problem === 'encrypted');
    return report;
  } finally {
    await b.close();
  }
}
