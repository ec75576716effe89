/**
 * Evidence text on a terminal. File names, event messages and login names come from a
 * possibly compromised host: an ESC sequence in a DLL name can move the cursor, recolour or
 * clear the responder's screen, BEL rings, CR overwrites the line, and a right-to-left
 * override (U+202E) makes `maggie\u202Elld.exe` read as `maggieexe.dll`. Every human-readable
 * line espy prints goes through `revealControls`, which shows such characters as `\u202E`
 * markers, the same markers the HTML report uses.
 */

/**
 * C0 controls except TAB and LF (CR included: it rewrites the line), DEL and C1 controls
 * (CSI is U+009B), the Arabic letter mark, zero-width characters and LRM/RLM
 * (U+200B–U+200F), line/paragraph separators and bidi embeddings/overrides (U+2028–U+202E),
 * invisible operators and bidi isolates (U+2060–U+206F), and the BOM.
 */
// eslint-disable-next-line no-control-regex
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/g;

/** `\u001B`-style marker of one UTF-16 code unit. */
function marker(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Text safe to print on a terminal: line breaks and tabs kept, every other control or bidi character shown as `\uXXXX`. */
export function revealControls(text: string): string {
  return text.replace(TERMINAL_UNSAFE, marker);
}
