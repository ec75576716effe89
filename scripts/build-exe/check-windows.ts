import { readFileSync } from 'node:fs';
import { requireOracle, runPython } from '../../test/support/oracles.js';
import { assert, Skip, type CheckRun } from './checks.js';
import { SEA_RESOURCE_NAME, SEA_SENTINEL_FUSE } from './config.js';
import { countAscii } from './inject.js';
import { DATA_DIRECTORY, PE_MAGIC, RESOURCE_TYPE, computePeChecksum, dataDirectory, findResource, readPeLayout } from './pe.js';

/**
 * Checks of the Windows executable without Windows: PE32+ x64, an RCDATA NODE_SEA_BLOB
 * resource holding a SEA blob, the fuse set, no (stale) Authenticode signature, a correct
 * PE checksum; cross-checked with Debian's python3-pefile.
 */

const IMAGE_FILE_MACHINE_AMD64 = 0x8664;
/** First u32 of a Node SEA blob (src/node_sea.h `kMagic`). */
const SEA_BLOB_MAGIC = 0x0143da20;

const PEFILE_SCRIPT = String.raw`
import json, sys, pefile
pe = pefile.PE(sys.argv[1], fast_load=True)
pe.parse_data_directories(directories=[pefile.DIRECTORY_ENTRY['IMAGE_DIRECTORY_ENTRY_RESOURCE']])
sec = pe.OPTIONAL_HEADER.DATA_DIRECTORY[4]
res = []
types = pe.DIRECTORY_ENTRY_RESOURCE.entries if hasattr(pe, 'DIRECTORY_ENTRY_RESOURCE') else []
for t in types:
    for n in (t.directory.entries if hasattr(t, 'directory') else []):
        for l in (n.directory.entries if hasattr(n, 'directory') else []):
            res.append({'type': t.id, 'name': str(n.name) if n.name is not None else None, 'size': l.data.struct.Size})
print(json.dumps({'magic': pe.OPTIONAL_HEADER.Magic, 'machine': pe.FILE_HEADER.Machine,
  'checksum': pe.OPTIONAL_HEADER.CheckSum, 'generated': pe.generate_checksum(),
  'security': [sec.VirtualAddress, sec.Size], 'resources': res}))
`;

interface PefileView {
  magic: number;
  machine: number;
  checksum: number;
  generated: number;
  security: [number, number];
  resources: { type: number; name: string | null; size: number }[];
}

export async function checkWindowsExe(run: CheckRun, exe: string): Promise<void> {
  const bytes = new Uint8Array(readFileSync(exe));
  const layout = readPeLayout(bytes);

  await run.check('windows exe: PE32+ for x64', () => {
    assert(layout.magic === PE_MAGIC.PE32_PLUS, `optional header magic 0x${layout.magic.toString(16)}`);
    assert(layout.machine === IMAGE_FILE_MACHINE_AMD64, `machine 0x${layout.machine.toString(16)}`);
    return `magic 0x20b, machine 0x8664, ${layout.sections.length} sections`;
  });

  await run.check(`windows exe: RCDATA ${SEA_RESOURCE_NAME} resource holds a SEA blob`, () => {
    const res = findResource(bytes, RESOURCE_TYPE.RCDATA, SEA_RESOURCE_NAME);
    assert(res, `no RCDATA resource named ${SEA_RESOURCE_NAME}`);
    assert(res.byteLength >= 4, 'resource too small');
    const magic = new DataView(res.buffer, res.byteOffset, 4).getUint32(0, true);
    assert(magic === SEA_BLOB_MAGIC, `resource starts with 0x${magic.toString(16)}, not the SEA blob magic`);
    return `${res.byteLength} bytes`;
  });

  await run.check('windows exe: SEA fuse set (":1" once, ":0" nowhere)', () => {
    assert(countAscii(bytes, `${SEA_SENTINEL_FUSE}:1`) === 1, 'fuse ":1" not found exactly once');
    assert(countAscii(bytes, `${SEA_SENTINEL_FUSE}:0`) === 0, 'an unset fuse ":0" remains');
  });

  await run.check('windows exe: no Authenticode signature left, PE checksum correct', () => {
    const sec = dataDirectory(bytes, layout, DATA_DIRECTORY.SECURITY);
    assert(sec.address === 0 && sec.size === 0, `security directory still ${sec.address}/${sec.size}`);
    const computed = computePeChecksum(bytes, layout.checkSumOffset);
    assert(layout.checkSum === computed, `CheckSum 0x${layout.checkSum.toString(16)}, computed 0x${computed.toString(16)}`);
    return `CheckSum 0x${computed.toString(16)}`;
  });

  await run.check('windows exe: python3-pefile agrees (PE32+, checksum, no signature, resource)', () => {
    if (!requireOracle('python3')) throw new Skip('/usr/bin/python3 (python3-pefile) not installed');
    let view: PefileView;
    try {
      view = JSON.parse(runPython(PEFILE_SCRIPT, [exe], 300_000)) as PefileView;
    } catch (e) {
      if (!process.env.CI && /No module named 'pefile'/.test(String(e))) throw new Skip('python3-pefile not installed');
      throw e;
    }
    assert(view.magic === PE_MAGIC.PE32_PLUS, `pefile magic ${view.magic}`);
    assert(view.checksum === view.generated, `pefile: stored ${view.checksum} != generated ${view.generated}`);
    assert(view.security[0] === 0 && view.security[1] === 0, `pefile: security directory ${view.security.join('/')}`);
    const blob = view.resources.find((r) => r.type === RESOURCE_TYPE.RCDATA && r.name === SEA_RESOURCE_NAME);
    assert(blob, `pefile: no RCDATA ${SEA_RESOURCE_NAME} among ${JSON.stringify(view.resources)}`);
    const ours = findResource(bytes, RESOURCE_TYPE.RCDATA, SEA_RESOURCE_NAME);
    assert(ours?.byteLength === blob.size, `pefile resource size ${blob.size}, ours ${ours?.byteLength}`);
    return `pefile: checksum ${view.generated}, ${view.resources.length} resources`;
  });
}
