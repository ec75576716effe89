/**
 * Pure helpers for Windows paths as evidence names: `C:\Windows\...` (original path) and
 * `files/C/Windows/...` (stored path in a bundle). Matching is case-insensitive, as NTFS is.
 */

export interface WindowsPath {
  /** Upper-case drive letter. */
  drive: string;
  /** Name segments below the drive root. */
  segments: string[];
}

/** Parses `C:\a\b`, `c:/a/b`, `\\?\C:\a`, `\??\C:\a`; undefined when it has no drive letter. */
export function parseWindowsPath(p: string): WindowsPath | undefined {
  let s = p.trim().replace(/^"|"$/g, '');
  s = s.replace(/^(\\\\\?\\|\\\?\?\\|\\\\\.\\)/, '');
  const m = /^([A-Za-z]):(?:[\\/]|$)(.*)$/s.exec(s);
  if (!m) return undefined;
  const segments = (m[2] ?? '').split(/[\\/]+/).filter((x) => x !== '' && x !== '.');
  if (segments.includes('..')) return undefined;
  return { drive: (m[1] ?? 'C').toUpperCase(), segments };
}

export function formatWindowsPath(drive: string, segments: readonly string[]): string {
  return `${drive.toUpperCase()}:\\${segments.join('\\')}`;
}

/** Lower-cased, backslash form used as a lookup key. */
export function windowsPathKey(p: string): string {
  const w = parseWindowsPath(p);
  return w ? formatWindowsPath(w.drive, w.segments).toLowerCase() : p.toLowerCase().replace(/\//g, '\\');
}

/**
 * Stored name of a file in a bundle: `files/<drive>/<segments>`. A segment holding `/`, `\`
 * or `%` (possible on a non-Windows image) is percent-escaped so that it stays one segment.
 */
export function storedPathFor(drive: string, segments: readonly string[]): string {
  const esc = (s: string): string => s.replace(/[%/\\\0]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return ['files', drive.toUpperCase(), ...segments.map(esc)].join('/');
}

/** Case-insensitive glob for one name: `*` any run, `?` one character. */
export function globMatch(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  const n = name.toLowerCase();
  // Iterative matcher with single backtrack point: linear-ish, no regex built from data.
  let pi = 0;
  let ni = 0;
  let star = -1;
  let mark = 0;
  while (ni < n.length) {
    const pc = p[pi];
    if (pc === '?' || (pc !== undefined && pc !== '*' && pc === n[ni])) {
      pi++;
      ni++;
    } else if (pc === '*') {
      star = pi++;
      mark = ni;
    } else if (star >= 0) {
      pi = star + 1;
      ni = ++mark;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}

/**
 * Decodes Velociraptor's file-name encoding (`C%3A`, `%5C`, ...): `%XX` hex escapes of the
 * bytes of a UTF-8 name. Malformed escapes are kept as written.
 */
export function decodeVelociraptorName(name: string): string {
  if (!name.includes('%')) return name;
  try {
    return decodeURIComponent(name.replace(/%(?![0-9A-Fa-f]{2})/g, '%25'));
  } catch {
    return name;
  }
}

export function baseName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] ?? p;
}
