/**
 * The non-TypeScript template files the renderers fill. The CLI reads them (through
 * `cli/assets.ts`, so they also work inside the single executable) and passes them in; the
 * renderers never touch the file system.
 */

export interface ReportTemplates {
  /** `report.html`: the page skeleton with `{{placeholders}}`. */
  skeleton: string;
  /** `report.css`: the one inline style sheet (screen + A4 print). */
  css: string;
  /** `report.js`: the one inline script (table sort/filter, timeline paging). */
  js: string;
}

/** Asset keys (repo-relative POSIX paths) of the template files, by field. */
export const REPORT_TEMPLATE_FILES = {
  skeleton: 'report-templates/report.html',
  css: 'report-templates/report.css',
  js: 'report-templates/report.js',
} as const satisfies Record<keyof ReportTemplates, string>;

/** The placeholders the skeleton must contain, each exactly once. */
export const SKELETON_PLACEHOLDERS = ['csp', 'title', 'generator', 'style', 'bodyClass', 'body', 'data', 'script'] as const;
export type SkeletonSlot = (typeof SKELETON_PLACEHOLDERS)[number];

/**
 * Fills the skeleton in one pass (text inside values is never re-scanned for placeholders).
 * Throws a plain Error (a bug, not bad input) when the skeleton is missing a placeholder.
 */
export function fillSkeleton(skeleton: string, slots: Record<SkeletonSlot, string>): string {
  for (const name of SKELETON_PLACEHOLDERS) {
    const n = skeleton.split(`{{${name}}}`).length - 1;
    if (n !== 1) throw new Error(`report skeleton must contain {{${name}}} exactly once (found ${n})`);
  }
  return skeleton.replace(/\{\{([a-zA-Z]+)\}\}/g, (m, name: string) => (Object.hasOwn(slots, name) ? slots[name as SkeletonSlot] : m));
}

/** Text that must never appear inside the inline style or script (it would end the element early). */
export function assertInlineSafe(kind: 'style' | 'script', text: string): void {
  if (new RegExp(`</${kind}`, 'i').test(text) || /<!--/.test(text)) {
    throw new Error(`report ${kind} template contains </${kind} or <!--`);
  }
}
