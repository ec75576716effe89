import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeAttr, escapeText, hasHidden, html, jsonForScript, raw, revealHidden, safeUrl } from '../../report-templates/html.js';

const MARKER = /<span class=cc>\\u(?:[0-9A-F]{4}|\{[0-9A-F]+\})<\/span>/g;

describe('html tagged template', () => {
  it('escapes text interpolations and passes SafeHtml through', () => {
    const v = '<img src=x onerror=alert(1)>';
    expect(html`<p>${v}</p>`.value).toBe('<p>&lt;img src=x onerror=alert(1)&gt;</p>');
    expect(html`<p>${raw('<b>ok</b>')}</p>`.value).toBe('<p><b>ok</b></p>');
    expect(html`<ul>${['a<', 'b&']}</ul>`.value).toBe('<ul>a&lt;b&amp;</ul>');
    expect(html`${null}${undefined}${false}${0}`.value).toBe('0');
  });

  it('escapes attribute interpolations, with hidden characters as text escapes (no markup)', () => {
    const out = html`<a title="${'" onmouseover=alert(1) x="\u202E'}">x</a>`.value;
    expect(out).toBe('<a title="&quot; onmouseover=alert(1) x=&quot;\\u202E">x</a>');
    // A fragment that starts inside a tag is still treated as an attribute.
    expect(html` class="${'a"b'}"`.value).toBe(' class="a&quot;b"');
    // Attribute detection survives SafeHtml values before the hole.
    expect(html`<td${raw(' data-x="1"')} title="${'<'}">${'<'}</td>`.value).toBe('<td data-x="1" title="&lt;">&lt;</td>');
  });

  it('refuses an unquoted attribute interpolation (a template bug)', () => {
    expect(() => html`<td data-v=${'x onmouseover=alert(1)'}>`).toThrow(/unquoted attribute/);
  });

  it('marks bidi overrides and other hidden characters visibly in text', () => {
    const out = escapeText('maggie\u202Elld.exe\u200B\u0000');
    expect(out).toBe('maggie<span class=cc>\\u202E</span>lld.exe<span class=cc>\\u200B</span><span class=cc>\\u0000</span>');
    expect(out.replace(/<span class=cc>[^<]*<\/span>/g, '')).not.toMatch(/["']/);
    expect(revealHidden('a\u2066b\uFEFF')).toBe('a\\u2066b\\uFEFF');
    expect(revealHidden('tab\tand\nnewline')).toBe('tab\tand\nnewline');
    expect(revealHidden('tag \u{E0041}')).toBe('tag \\u{E0041}');
  });

  it('never lets markup, quotes or hidden characters through (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const text = escapeText(s).replace(MARKER, '');
        expect(text).not.toMatch(/[<>"']/);
        expect(hasHidden(text)).toBe(false);
        const attr = escapeAttr(s);
        expect(attr).not.toMatch(/[<>"']/);
        expect(hasHidden(attr)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

describe('safeUrl', () => {
  it.each([
    ['https://attack.mitre.org/techniques/T1505/001/', 'https://attack.mitre.org/techniques/T1505/001/'],
    ['http://example.com/a?b=c', 'http://example.com/a?b=c'],
    ['hosts/SQL01/report.html', 'hosts/SQL01/report.html'],
    ['../SQL01/report.html', '../SQL01/report.html'],
    ['javascript:alert(1)', '#'],
    ['JaVaScRiPt:alert(1)', '#'],
    [' javascript:alert(1)', '#'],
    ['java\tscript:alert(1)', '#'],
    ['java\nscript:alert(1)', '#'],
    ['data:text/html,<script>alert(1)</script>', '#'],
    ['vbscript:msgbox(1)', '#'],
    ['file:///etc/passwd', '#'],
    ['https://example.com/\u202Egpj.exe', '#'],
  ])('%j → %j', (input, expected) => {
    expect(safeUrl(input)).toBe(expected);
  });
});

describe('jsonForScript', () => {
  it('escapes <, >, &, U+2028 and U+2029 and round-trips', () => {
    const v = { a: '</script><script>alert(1)</script>', b: '<!-- & -->', c: '\u2028\u2029' };
    const out = jsonForScript(v);
    expect(out).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(out)).toEqual(v);
  });

  it('round-trips any value without <, >, & (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' })), (arr) => {
        const out = jsonForScript(arr);
        expect(out).not.toMatch(/[<>&\u2028\u2029]/);
        expect(JSON.parse(out)).toEqual(arr);
      }),
      { numRuns: 300 },
    );
  });
});
