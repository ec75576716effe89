import type { RElement, RNode, Value } from './model.js';
import { NODE_TYPE } from './tokens.js';
import { isEmptyValue, valueText } from './value-text.js';

/**
 * Resolved tree → XML as Windows Event Viewer and libevtx's `evtxexport -f xml` show it:
 * two-space indentation, empty elements self-closed, attributes whose value is empty omitted,
 * GUIDs in braces, times with 7 fractional digits.
 */

function escText(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function escAttr(s: string): string {
  return s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

function nodeXml(v: Value, inAttr: boolean): string {
  switch (v.t) {
    case NODE_TYPE.charRef:
      return `&#${String(v.v)};`;
    case NODE_TYPE.entityRef:
      return `&${String(v.v)};`;
    case NODE_TYPE.cdata:
      return inAttr ? escAttr(String(v.v)) : `<![CDATA[${String(v.v)}]]>`;
    case NODE_TYPE.pi: {
      const p = v.v as { target: string; data: string };
      return inAttr ? '' : `<?${p.target}${p.data ? ' ' + p.data : ''}?>`;
    }
    default: {
      const t = valueText(v, 'xml');
      return inAttr ? escAttr(t) : escText(t);
    }
  }
}

function textOf(nodes: readonly RNode[], inAttr: boolean): string {
  let s = '';
  for (const n of nodes) if (n.k === 0) s += nodeXml(n, inAttr);
  return s;
}

function hasContent(nodes: readonly RNode[]): boolean {
  for (const n of nodes) if (n.k === 1 || !isEmptyValue(n) || n.t === NODE_TYPE.pi) return true;
  return false;
}

function renderElement(el: RElement, indent: string, out: string[]): void {
  let open = `${indent}<${el.name}`;
  for (const a of el.attrs) {
    if (!hasContent(a.value)) continue;
    open += ` ${a.name}="${textOf(a.value, true)}"`;
  }
  if (!hasContent(el.children)) {
    out.push(`${open}/>\n`);
    return;
  }
  let hasEl = false;
  for (const c of el.children) if (c.k === 1) hasEl = true;
  if (!hasEl) {
    out.push(`${open}>${textOf(el.children, false)}</${el.name}>\n`);
    return;
  }
  out.push(`${open}>\n`);
  const inner = indent + '  ';
  for (const c of el.children) {
    if (c.k === 1) renderElement(c, inner, out);
    else if (!isEmptyValue(c) || c.t === NODE_TYPE.pi) out.push(`${inner}${nodeXml(c, false)}\n`);
  }
  out.push(`${indent}</${el.name}>\n`);
}

/** One record's XML (`<Event xmlns=...>` ... `</Event>\n`). */
export function renderTreeXml(root: RElement, indent = ''): string {
  const out: string[] = [];
  renderElement(root, indent, out);
  return out.join('');
}
