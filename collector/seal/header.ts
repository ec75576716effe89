/**
 * The age header (recipient stanzas and header MAC), made and checked by `age-encryption`,
 * the reference TypeScript implementation. Its public API encrypts whole payloads; to stream
 * the payload ourselves we need the file key, so sealing adds one more "recipient" that only
 * records the key it is handed (and adds no stanza), and opening uses `decryptHeader`, which
 * returns the key after checking the header MAC.
 */
import { Decrypter, Encrypter, type Recipient, type Stanza } from 'age-encryption';
import { PAYLOAD_NONCE_BYTES, SealDamagedError, TAG_BYTES } from './stream.js';

/** First line of every age v1 file. */
export const AGE_MAGIC = 'age-encryption.org/v1\n';
/** A header larger than this is refused (a hostile file with endless stanzas). */
export const MAX_HEADER_BYTES = 1024 * 1024;

/** None of the given identities opens the file (a usage problem, not damage). */
export class WrongIdentityError extends Error {
  override readonly name = 'WrongIdentityError';
}

export interface SealedHeader {
  /** The encoded header, up to and including the MAC line's newline. */
  header: Uint8Array;
  fileKey: Uint8Array;
}

/** Makes the header for `recipients` (`age1...`) with a fresh random file key. */
export async function sealHeader(recipients: readonly string[]): Promise<SealedHeader> {
  if (recipients.length === 0) throw new Error('sealing needs at least one recipient');
  const enc = new Encrypter();
  for (const r of recipients) enc.addRecipient(r);
  let fileKey: Uint8Array | undefined;
  const tap: Recipient = {
    wrapFileKey(key: Uint8Array): Stanza[] {
      fileKey = key.slice();
      return [];
    },
  };
  enc.addRecipient(tap);
  // An empty payload: the output is header, 16-byte nonce, one empty final chunk (a tag).
  const whole = await enc.encrypt(new Uint8Array(0));
  if (!fileKey) throw new Error('age-encryption did not hand out the file key');
  return { header: whole.subarray(0, whole.length - PAYLOAD_NONCE_BYTES - TAG_BYTES), fileKey };
}

/** Length of the header at the start of `bytes` (through the `--- MAC` line's newline). */
export function headerLength(bytes: Uint8Array): number {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, MAX_HEADER_BYTES));
  if (!head.subarray(0, AGE_MAGIC.length).equals(Buffer.from(AGE_MAGIC))) throw new SealDamagedError('not an age file (no age-encryption.org/v1 header line)');
  const mac = head.indexOf('\n--- ');
  const end = mac < 0 ? -1 : head.indexOf('\n', mac + 1);
  if (end < 0) {
    throw new SealDamagedError(bytes.length >= MAX_HEADER_BYTES ? `the age header is longer than ${MAX_HEADER_BYTES} bytes` : 'the age header is truncated (no MAC line)');
  }
  return end + 1;
}

/**
 * Opens the header with `identities` (`AGE-SECRET-KEY-1...`): the file key, or
 * WrongIdentityError when no identity matches, or SealDamagedError for a broken header.
 */
export async function openHeader(header: Uint8Array, identities: readonly string[]): Promise<Uint8Array> {
  const dec = new Decrypter();
  for (const id of identities) dec.addIdentity(id);
  try {
    return await dec.decryptHeader(header);
  } catch (e) {
    const msg = (e as Error).message;
    if (/no identity matched/i.test(msg)) {
      throw new WrongIdentityError('none of the given identities can open this sealed bundle (it was sealed for other recipients)');
    }
    throw new SealDamagedError(`the age header is damaged: ${msg}`, { cause: e });
  }
}
