/**
 * The bundle's zip stream: plain zips by espy's own writer (zip-writer.ts); AES-256 zips by
 * archiver 8. archiver-zip-encrypted 2 is written for
 * archiver 7's plugin API (`registerFormat`), which archiver 8 dropped; its plugin object has
 * the same shape as archiver 8's own Zip plugin (append/finalize/on/pipe/unpipe), so we mount
 * it the way archiver 8's `ZipArchive` mounts its Zip plugin.
 */
import { Archiver } from 'archiver';
// A static import (not createRequire) so that the executable's bundler includes it.
import ZipEncrypted from 'archiver-zip-encrypted';
import { ZipWriter } from './zip-writer.js';

interface ArchiverInternals {
  _format: string;
  _module: unknown;
  _supportsDirectory: boolean;
  _supportsSymlink: boolean;
  _modulePipe(): void;
}

class EncryptedZipArchive extends Archiver {
  constructor(options: { password: Buffer; level: number }) {
    super({});
    const self = this as unknown as ArchiverInternals;
    self._format = 'zip';
    self._module = new ZipEncrypted({ zlib: { level: options.level }, encryptionMethod: 'aes256', password: options.password });
    self._supportsDirectory = true;
    self._supportsSymlink = false;
    self._modulePipe();
  }
}

/** What the bundle writer uses of a zip stream: archiver's interface, or espy's own writer. */
export type ZipArchiveStream = Archiver | ZipWriter;

/** A zip archive stream: espy's own writer; archiver's AES-256 (WinZip AE-1: CRC kept) when a password is given. */
export function createZipArchive(opts: { level: number; password?: Buffer }): ZipArchiveStream {
  if (opts.password && opts.password.length > 0) return new EncryptedZipArchive({ password: opts.password, level: opts.level });
  return new ZipWriter(opts.level);
}
