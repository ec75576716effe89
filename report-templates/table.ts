/**
 * Server-rendered data tables. They read fine with JavaScript off; `report.js` adds sorting
 * (buttons in the header cells) and a filter box to every `table.sortable`.
 */
import { html, raw, type HtmlValue, type SafeHtml } from './html.js';

export interface Column {
  label: string;
  /** How `report.js` compares cells: text (default), numbers, or ISO times (text order). */
  type?: 'text' | 'num';
  /** Extra class on the header cell (widths in the CSS). */
  className?: string;
}

/** One cell: its content and an optional sort key (`data-v`) when the text is not the key. */
export function cell(content: HtmlValue, sortKey?: string | number, className?: string): SafeHtml {
  const cls = className ? html` class="${className}"` : raw('');
  return sortKey === undefined ? html`<td${cls}>${content}</td>` : html`<td${cls} data-v="${String(sortKey)}">${content}</td>`;
}

export interface TableSpec {
  id: string;
  caption?: string;
  columns: readonly Column[];
  rows: readonly SafeHtml[];
  /** Shown instead of an empty table. */
  empty: string;
  /** Add a filter box (default true). */
  filter?: boolean;
}

/** A `<table>` with `<thead>`/`<tbody>`; each row is a `<tr>` built by the caller. */
export function renderTable(t: TableSpec): SafeHtml {
  if (t.rows.length === 0) return html`<p class="empty">${t.empty}</p>`;
  const head = t.columns.map((c) => html`<th scope="col" data-type="${c.type ?? 'text'}"${c.className ? html` class="${c.className}"` : ''}>${c.label}</th>`);
  return html`<div class="table-wrap"><table id="${t.id}" class="data sortable"${t.filter === false ? '' : raw(' data-filter="1"')}>${
    t.caption ? html`<caption>${t.caption}</caption>` : ''
  }<thead><tr>${head}</tr></thead><tbody>${t.rows}</tbody></table></div>`;
}

/** `yes`/`no`/`unknown` with a class for colour. */
export function yesNo(v: boolean | null | undefined, good: boolean | 'neutral' = 'neutral'): SafeHtml {
  if (v === null || v === undefined) return html`<span class="muted">unknown</span>`;
  const cls = good === 'neutral' ? 'neutral' : v === good ? 'good' : 'bad';
  return html`<span class="yn ${cls}">${v ? 'yes' : 'no'}</span>`;
}
