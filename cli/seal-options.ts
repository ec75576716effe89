/**
 * Reading the sealing flags: `--recipient KEY` (repeatable) and `--recipients-file FILE` of
 * collect, `--identity FILE` of verify and analyze; and the one mapping of sealing errors to exit
 * codes: a missing or wrong identity is a usage error (2), a damaged sealed file fails the
 * check (4).
 */
import { resolve } from 'node:path';
import { checkRecipients, IdentityNeededError, KeyFileError, readIdentityFile, readRecipientsFile, SealDamagedError, WrongIdentityError } from '../collector/index.js';
import { EXIT, ExitError, UsageError } from './exit-codes.js';

export interface RawRecipients {
  recipient?: string[] | undefined;
  recipientsFile?: string | undefined;
}

/** The help text of `--identity` (verify, analyze). */
export const IDENTITY_HELP = 'age identity file (espy keygen / age-keygen) to open a sealed .zip.age bundle';

/** The recipients given (undefined when the bundle is not to be sealed). */
export async function recipientsOf(raw: RawRecipients, cwd: string, command: string): Promise<string[] | undefined> {
  try {
    const keys = [...checkRecipients(raw.recipient ?? [], `${command}: --recipient`)];
    if (raw.recipientsFile !== undefined) keys.push(...(await readRecipientsFile(resolve(cwd, raw.recipientsFile))));
    return keys.length > 0 ? [...new Set(keys)] : undefined;
  } catch (e) {
    if (e instanceof KeyFileError) throw new UsageError(e.message.startsWith(command) ? e.message : `${command}: ${e.message}`);
    throw e;
  }
}

/** The identities of `--identity FILE` (undefined without the flag). */
export async function identitiesOf(path: string | undefined, cwd: string, command: string): Promise<string[] | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readIdentityFile(resolve(cwd, path));
  } catch (e) {
    if (e instanceof KeyFileError) throw new UsageError(`${command}: ${e.message}`);
    throw e;
  }
}

/** Turns a sealing error into its exit code and one line; other errors are returned as they are. */
export function sealError(e: unknown, command: string, bundle: string): unknown {
  if (e instanceof IdentityNeededError || e instanceof WrongIdentityError) return new UsageError(`${command}: ${bundle}: ${e.message}`);
  if (e instanceof SealDamagedError) return new ExitError(EXIT.CHECK_FAILED, `${command}: ${bundle}: sealed bundle damaged: ${e.message}`);
  return e;
}
