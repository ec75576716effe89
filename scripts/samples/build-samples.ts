/** Pure part of the generator: DLL bytes in, every sample file (path → bytes) out. */
import { createHash } from 'node:crypto';
import { buildHostClean } from './hosts/host-clean.js';
import { buildHostMaggie } from './hosts/host-maggie.js';
import { buildHostRenamed } from './hosts/host-renamed.js';
import { buildHostTrojan } from './hosts/host-trojan.js';
import { buildHostVendor } from './hosts/host-vendor.js';
import { buildHostWiped } from './hosts/host-wiped.js';
import type { DllBytes } from './hosts/common.js';
import { renderProvenance, renderReadme } from './docs.js';

export function buildSamples(dlls: DllBytes): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const hosts: Array<[string, Map<string, Uint8Array>]> = [
    ['host-maggie', buildHostMaggie(dlls)],
    ['host-clean', buildHostClean(dlls)],
    ['host-renamed', buildHostRenamed(dlls)],
    ['host-trojan', buildHostTrojan(dlls)],
    ['host-vendor', buildHostVendor(dlls)],
    ['host-wiped', buildHostWiped(dlls)],
  ];
  for (const [host, m] of hosts) for (const [p, b] of [...m].sort(([a], [c]) => a.localeCompare(c))) files.set(`${host}/${p}`, b);
  const rows = [...files].map(([path, bytes]) => ({ path, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }));
  files.set('PROVENANCE.md', new TextEncoder().encode(renderProvenance(rows)));
  files.set('README.md', new TextEncoder().encode(renderReadme()));
  return files;
}
