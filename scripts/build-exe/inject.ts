import { spawnSync } from 'node:child_process';
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

function postject(target: string, blobPath: string): void {
  const r = spawnSync(
    process.execPath,
    [postjectCli(), target, SEA_RESOURCE_NAME, blobPath, '--sentinel-fuse', SEA_SENTINEL_FUSE],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  if (r.error) throw new Error(`postject: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`postject failed (${r.status}):\n${r.stdout}${r.stderr}`);
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

export function makeLinuxExe(baseNode: string, blobPath: string, outPath: string): void {
  const partial = `${outPath}.partial`;
  rmSync(partial, { force: true });
  copyFileSync(baseNode, partial);
  chmodSync(partial, 0o755);
  postject(partial, blobPath);
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
export function makeWindowsExe(baseExe: string, blobPath: string, outPath: string): WinExeFacts {
  const partial = `${outPath}.partial`;
  rmSync(partial, { force: true });
  const { image, removedBytes } = stripAuthenticode(new Uint8Array(readFileSync(baseExe)));
  writeFileSync(partial, image);
  postject(partial, blobPath);
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
