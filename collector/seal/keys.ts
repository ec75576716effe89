/**
 * Recipient and identity files in the format of age and age-keygen: one key per line,
 * `#` comments and blank lines ignored. Keys are checked by age-encryption when used;
 * here only their kind is checked, so that a wrong file gives one clear line.
 */
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { open, readFile, stat } from 'node:fs/promises';

/** A key file larger than this is not a key file. */
export const MAX_KEY_FILE_BYTES = 1024 * 1024;

/** A recipient or identity argument or file is unusable (→ usage error). */
export class KeyFileError extends Error {
  override readonly name = 'KeyFileError';
}

function keyLines(text: string): { line: number; key: string }[] {
  return text
    .split(/\r?\n/)
    .map((l, i) => ({ line: i + 1, key: l.trim() }))
    .filter((l) => l.key !== '' && !l.key.startsWith('#'));
}

/** Checks `age1...` recipients (X25519 or the post-quantum hybrid `age1pq1...`). */
export function checkRecipients(keys: readonly string[], where: string): string[] {
  for (const k of keys) {
    if (!/^age1[02-9ac-hj-np-z]+$/.test(k)) {
      // Never echo any part of a secret key into a terminal or a log.
      if (k.startsWith('AGE-SECRET-KEY-')) throw new KeyFileError(`${where}: this is a secret identity (AGE-SECRET-KEY-...): give the public recipient, age1...`);
      const hint = k.startsWith('ssh-') ? ' (ssh keys are not supported: use an age1... recipient)' : '';
      throw new KeyFileError(`${where}: not an age recipient: ${k.slice(0, 12)}...${hint}`);
    }
  }
  return [...keys];
}

async function readKeyFile(path: string, what: string): Promise<string> {
  const st = await stat(path).catch((e: Error) => {
    throw new KeyFileError(`cannot read the ${what} file ${path}: ${e.message}`);
  });
  if (!st.isFile()) throw new KeyFileError(`the ${what} file ${path} is not a file`);
  if (st.size > MAX_KEY_FILE_BYTES) throw new KeyFileError(`the ${what} file ${path} is larger than ${MAX_KEY_FILE_BYTES} bytes`);
  return readFile(path, 'utf8');
}

export async function readRecipientsFile(path: string): Promise<string[]> {
  const lines = keyLines(await readKeyFile(path, 'recipients'));
  if (lines.length === 0) throw new KeyFileError(`the recipients file ${path} holds no recipient`);
  for (const l of lines) checkRecipients([l.key], `${path}:${l.line}`);
  return lines.map((l) => l.key);
}

/** Reads an identity file (age-keygen's format): its `AGE-SECRET-KEY-` lines. */
export async function readIdentityFile(path: string): Promise<string[]> {
  const lines = keyLines(await readKeyFile(path, 'identity'));
  const ids = lines.filter((l) => l.key.startsWith('AGE-SECRET-KEY-'));
  if (ids.length === 0) {
    const rec = lines.some((l) => l.key.startsWith('age1'));
    throw new KeyFileError(`the identity file ${path} holds no AGE-SECRET-KEY- line${rec ? ' (it holds a public recipient: give the secret identity file)' : ''}`);
  }
  const bad = lines.find((l) => !l.key.startsWith('AGE-SECRET-KEY-'));
  if (bad) throw new KeyFileError(`${path}:${bad.line}: not an age identity`);
  return ids.map((l) => l.key);
}

/**
 * Makes a new X25519 identity and writes it to `path` (mode 0600, never over an existing
 * file), in age-keygen's layout so that Debian's `age -i` reads it. Returns the recipient.
 */
export async function writeNewIdentity(path: string, now: Date): Promise<string> {
  const identity = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  let fh;
  try {
    fh = await open(path, 'wx', 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new KeyFileError(code === 'EEXIST' ? `${path} already exists: not overwriting an identity` : `cannot create ${path}: ${(e as Error).message}`);
  }
  try {
    await fh.writeFile(`# created: ${now.toISOString()}\n# public key: ${recipient}\n${identity}\n`);
    // The umask may have narrowed the mode further; never leave it wider than 0600.
    await fh.chmod(0o600);
  } finally {
    await fh.close();
  }
  return recipient;
}
