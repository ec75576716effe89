/**
 * The report's Content-Security-Policy, computed from the inline style and script actually
 * emitted (CSP Level 2 hash sources). Nothing else can run or load: no network
 * (`connect-src 'none'`, no `default-src`), no forms, no `<base>`; images only as data: URLs.
 * Inline `style=""` attributes and event-handler attributes are blocked by the hashes too,
 * so an escaping bug still cannot execute injected markup.
 */
import { createHash } from 'node:crypto';

/** `'sha256-<base64>'` of the exact UTF-8 text between the tags. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export function buildCsp(inline: { styles: readonly string[]; scripts: readonly string[] }): string {
  const styles = inline.styles.map(cspHash).join(' ') || "'none'";
  const scripts = inline.scripts.map(cspHash).join(' ') || "'none'";
  return [
    "default-src 'none'",
    `script-src ${scripts}`,
    `style-src ${styles}`,
    'img-src data:',
    "connect-src 'none'",
    "font-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}
