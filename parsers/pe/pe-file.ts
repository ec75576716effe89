import { FormatError } from '../common/errors.js';
import { ImageDirectoryEntry } from './constants.js';
import { parseCertificateTable } from './certificate.js';
import { anomaly, guarded } from './diagnostics.js';
import { parseExports, type ExportTable } from './exports.js';
import { computeImphash } from './imphash.js';
import { parseDelayImports, parseImports } from './imports.js';
import { RT_VERSION } from './constants.js';
import { findResources } from './resources.js';
import { parseHeaders } from './headers.js';
import { RvaMapper } from './rva.js';
import type { PeDataDirectory, PeDiagnostic, PeInfo, PeSignature, PeVersionInfo } from './types.js';
import { parseVersionInfo } from './version-info.js';

const NO_SIGNATURE: PeSignature = { present: false, offset: 0, size: 0, certificateType: null, signerSubject: null, signerIssuer: null };

function directory(dirs: readonly PeDataDirectory[], index: number): PeDataDirectory | undefined {
  const d = dirs[index];
  return d && d.virtualAddress !== 0 && d.size !== 0 ? d : undefined;
}

/**
 * Parses a whole PE image held in memory. Throws `FormatError` only when the file is not a PE
 * at all (no MZ, no PE signature, unreadable NT headers); every later structure that is bad
 * (exports, imports, resources, certificates) becomes a diagnostic and an empty value.
 */
export function parsePe(bytes: Uint8Array): PeInfo {
  const headers = parseHeaders(bytes);
  const diagnostics: PeDiagnostic[] = headers.diagnostics;
  const map = new RvaMapper(headers.sections, headers.fileAlignment, headers.sectionAlignment, bytes.byteLength);
  const dirs = headers.dataDirectories;

  const exp = directory(dirs, ImageDirectoryEntry.Export);
  const exportTable: ExportTable = exp ? guarded(diagnostics, 'exports', { dllName: null, exports: [] }, () => parseExports(bytes, exp, map, diagnostics)) : { dllName: null, exports: [] };

  const imp = directory(dirs, ImageDirectoryEntry.Import);
  const imports = imp ? guarded(diagnostics, 'imports', [], () => parseImports(bytes, imp.virtualAddress, map, headers.is64, diagnostics)) : [];

  const dly = directory(dirs, ImageDirectoryEntry.DelayImport);
  const delayImports = dly ? guarded(diagnostics, 'delay_imports', [], () => parseDelayImports(bytes, dly.virtualAddress, map, headers.is64, BigInt(headers.imageBase), diagnostics)) : [];

  let versionInfo: PeVersionInfo | null = null;
  const rsrc = directory(dirs, ImageDirectoryEntry.Resource);
  if (rsrc) {
    const found = guarded(diagnostics, 'resources', [], () => findResources(bytes, rsrc.virtualAddress, map, RT_VERSION, 1));
    const first = found[0];
    if (first) {
      versionInfo = guarded(diagnostics, 'version_info', null, () => {
        if (first.offset + first.size > bytes.byteLength) {
          throw new FormatError({
            code: 'TRUNCATED',
            format: 'pe',
            offset: first.offset,
            what: 'RT_VERSION data',
            message: `pe: version resource (${first.size} bytes) runs past the end of the file`,
          });
        }
        return parseVersionInfo(bytes.subarray(first.offset, first.offset + first.size), first.offset);
      });
    }
  }

  let signature = NO_SIGNATURE;
  const sec = directory(dirs, ImageDirectoryEntry.Security);
  if (sec) {
    signature = guarded(diagnostics, 'security', { ...NO_SIGNATURE, present: true, offset: sec.virtualAddress, size: sec.size }, () =>
      parseCertificateTable(bytes, sec.virtualAddress, sec.size, (e) => {
        if (!(e instanceof FormatError)) throw e;
        diagnostics.push({ code: e.code, what: `security.pkcs7: ${e.what}`, offset: e.offset, message: e.message });
      }),
    );
    if (sec.virtualAddress + sec.size > bytes.byteLength) anomaly(diagnostics, 'security', sec.virtualAddress, 'certificate table runs past the end of the file');
  }

  let end = headers.sizeOfHeaders;
  for (const s of headers.sections) if (s.sizeOfRawData > 0) end = Math.max(end, s.pointerToRawData + s.sizeOfRawData);
  if (sec) end = Math.max(end, sec.virtualAddress + sec.size);
  const overlayOffset = end < bytes.byteLength ? end : null;

  return {
    ...headers,
    size: bytes.byteLength,
    exportDllName: exportTable.dllName,
    exports: exportTable.exports,
    imports,
    delayImports,
    signature,
    versionInfo,
    imphash: computeImphash(imports, imp !== undefined),
    overlayOffset,
    diagnostics,
  };
}
