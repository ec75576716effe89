import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SEA_RESOURCE_NAME, SEA_SENTINEL_FUSE } from './config.js';
import { RESOURCE_TYPE, findResource, readPeLayout, stripAuthenticode, writePeChecksum } from './pe.js';

/**
 * Makes one executable: base binary + SEA blob, injected with postject (run as a child
 * process: LIEF prints harmless warnings that only matter when injection fails).
 */

const FUSE_SET = `${SEA_SENTINEL_FUSE}:1`;

function postjectCli(): string {
  const req = createRequire(import.meta.url);
  return join(dirname(req.resolve('postject')), 'cli.js');
}

/** Runs postject in a child process (asynchronous: both targets inject in parallel). */
function postject(target: string, blobPath: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [postjectCli(), target, SEA_RESOURCE_NAME, blobPath, '--sentinel-fuse', SEA_SENTINEL_FUSE], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (d: Buffer): void => {
      if (output.length < 1 << 20) output += d.toString('utf8');
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => reject(new Error(`postject: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`postject failed (${code ?? signal}) on ${target}:\n${output}`));
    });
  });
}

/** Counts occurrences of `needle` (ASCII) in `bytes`. */
export function countAscii(bytes: Uint8Array, needle: string): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let n = 0;
  for (let at = buf.indexOf(needle, 0, 'latin1'); at !== -1; at = buf.indexOf(needle, at + 1, 'latin1')) n++;
  return n;
}

function checkFuse(bytes: Uint8Array, what: string): void {
  if (countAscii(bytes, FUSE_SET) !== 1 || countAscii(bytes, `${SEA_SENTINEL_FUSE}:0`) !== 0) {
    throw new Error(`${what}: the SEA fuse is not set exactly once`);
  }
}

/** Writes `outPath` atomically (a `.partial` file renamed at the end). */
function finish(partial: string, outPath: string, mode: number): void {
  chmodSync(partial, mode);
  renameSync(partial, outPath);
}

export async function makeLinuxExe(baseNode: string, blobPath: string, outPath: string): Promise<void> {
  const partial = `${outPath}.partial`;
  rmSync(partial, { force: true });
  copyFileSync(baseNode, partial);
  chmodSync(partial, 0o755);
  await postject(partial, blobPath);
  checkFuse(readFileSync(partial), outPath);
  finish(partial, outPath, 0o755);
}

export interface WinExeFacts {
  removedSignatureBytes: number;
  checkSum: number;
}

/**
 * node.exe → strip the Authenticode signature (an injected file would carry a signature
 * that no longer matches) → inject → recompute the PE checksum → check the resource and fuse.
 */
export async function makeWindowsExe(baseExe: string, blobPath: string, outPath: string): Promise<WinExeFacts> {
  const partial = `${outPath}.partial`;
  rmSync(partial, { force: true });
  const { image, removedBytes } = stripAuthenticode(new Uint8Array(readFileSync(baseExe)));
  writeFileSync(partial, image);
  await postject(partial, blobPath);
  const injected = new Uint8Array(readFileSync(partial));
  const layout = readPeLayout(injected);
  if (!layout.isPe32Plus) throw new Error(`${outPath}: not PE32+ after injection`);
  const checkSum = writePeChecksum(injected);
  const blob = readFileSync(blobPath);
  const res = findResource(injected, RESOURCE_TYPE.RCDATA, SEA_RESOURCE_NAME);
  if (!res || !Buffer.from(res.buffer, res.byteOffset, res.byteLength).equals(blob)) {
    throw new Error(`${outPath}: RCDATA ${SEA_RESOURCE_NAME} resource missing or not the blob`);
  }
  checkFuse(injected, outPath);
  writeFileSync(partial, injected);
  finish(partial, outPath, 0o755);
  return { removedSignatureBytes: removedBytes, checkSum };
}
