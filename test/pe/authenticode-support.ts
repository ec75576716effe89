import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageDirectoryEntry, parsePe } from '../../parsers/pe/index.js';

/** PEM of every certificate in every WIN_CERTIFICATE of a signed PE, as `openssl pkcs7 -print_certs` prints them. */
export function embeddedCertificatesPem(bytes: Uint8Array): string[] {
  const pe = parsePe(bytes);
  const sec = pe.dataDirectories[ImageDirectoryEntry.Security];
  if (!sec?.size) return [];
  const dir = mkdtempSync(join(tmpdir(), 'espy-certs-'));
  const out: string[] = [];
  try {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let p = sec.virtualAddress, i = 0; p + 8 <= sec.virtualAddress + sec.size; i++) {
      const len = view.getUint32(p, true);
      const f = join(dir, `${i}.p7`);
      writeFileSync(f, bytes.subarray(p + 8, p + len));
      const text = execFileSync('openssl', ['pkcs7', '-inform', 'DER', '-in', f, '-print_certs'], { encoding: 'utf8' });
      out.push(...(text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []));
      p += (len + 7) & ~7;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
