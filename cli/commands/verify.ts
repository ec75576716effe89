import { Command } from 'commander';
import { resolve } from 'node:path';
import { verifyBundle, type VerifyReport } from '../../collector/index.js';
import { ZipFormatError } from '../../collector/zip-reader.js';
import { EXIT, ExitError, UsageError } from '../exit-codes.js';
import type { CommandFactory } from '../command.js';
import { IDENTITY_HELP, identitiesOf, sealError } from '../seal-options.js';

/** `espy verify BUNDLE`: recompute every hash; exit 4 on any mismatch. */

export function renderVerify(r: VerifyReport): string {
  const out = [`bundle:  ${r.bundle}${r.sealed ? '  (sealed: read through its decrypted chunks, every chunk authenticated)' : ''}`];
  if (r.bundleSha256) out.push(`sha256:  ${r.bundleSha256}  sidecar: ${r.sidecar}${r.sidecar === 'mismatch' ? ` (sidecar says ${r.sidecarSha256 ?? '?'})` : ''}`);
  if (r.manifestError) out.push(`manifest: ${r.manifestError}`);
  out.push(`checked: ${r.checked} entries`);
  if (r.incomplete) out.push('note:    the manifest says this bundle is INCOMPLETE (interrupted collection)');
  for (const p of r.problems) out.push(`${p.problem.toUpperCase().padEnd(10)} ${p.name}: ${p.detail}`);
  out.push(r.ok ? 'OK: every hash matches' : 'FAILED: the bundle does not match its manifest/sidecar');
  return `${out.join('\n')}\n`;
}

/** The one stderr line of a failed check: the sidecar first, then the manifest, then the count. */
function failure(r: VerifyReport, bundle: string): string {
  const why: string[] = [];
  if (r.sidecar === 'mismatch') why.push(`its SHA-256 ${r.bundleSha256 ?? '?'} does not match the .sha256 sidecar (${r.sidecarSha256 || 'no hash in it'})`);
  if (r.manifestError) why.push(r.manifestError);
  if (r.problems.length > 0) why.push(`${r.problems.length} entr${r.problems.length === 1 ? 'y' : 'ies'} missing, extra or altered`);
  return `verify: ${bundle} FAILED: ${why.join('; ') || 'check failed'}`;
}

export const verifyCommand: CommandFactory = (ctx) =>
  new Command('verify')
    .description('check an evidence bundle: every hash against manifest.json and the bundle against its .sha256 sidecar')
    .argument('<bundle>', 'espy bundle .zip or sealed .zip.age (or an extracted bundle folder)')
    .option('--password-env <var>', 'password of an encrypted bundle, from environment variable VAR')
    .option('--identity <file>', IDENTITY_HELP)
    .action(async (bundle: string, opts: { passwordEnv?: string; identity?: string }) => {
      const c = ctx();
      const identities = await identitiesOf(opts.identity, c.cwd, 'verify');
      let password: Buffer | undefined;
      if (opts.passwordEnv !== undefined) {
        const v = c.env[opts.passwordEnv];
        if (!v) throw new UsageError(`verify: environment variable ${opts.passwordEnv} is empty or not set`);
        password = Buffer.from(v, 'utf8');
      }
      let r: VerifyReport;
      try {
        r = await verifyBundle(resolve(c.cwd, bundle), { signal: c.signal, ...(password ? { password } : {}), ...(identities ? { identities } : {}) });
      } catch (e) {
        if (c.signal.aborted) throw e;
        const mapped = sealError(e, 'verify', bundle);
        if (mapped !== e) throw mapped;
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') throw new UsageError(`verify: no such bundle: ${bundle}`);
        if (e instanceof ZipFormatError && e.code === 'NOT_ZIP') throw new UsageError(`verify: ${bundle} is not an espy bundle (not a zip, no .sha256 sidecar)`);
        throw new ExitError(EXIT.CHECK_FAILED, `verify: cannot read ${bundle} as a bundle: ${(e as Error).message}`);
      }
      if (r.notABundle) throw new UsageError(`verify: ${bundle}: ${r.notABundle}`);
      c.stdout.write(c.json ? `${JSON.stringify(r)}\n` : renderVerify(r));
      if (!r.ok) throw new ExitError(EXIT.CHECK_FAILED, failure(r, bundle));
    });
