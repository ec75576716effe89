/** The shipped templates, read the way the CLI reads them. */
import { loadReportTemplates } from '../../cli/report-output.js';
import type { ReportTemplates } from '../../report-templates/index.js';

export const TEMPLATES: ReportTemplates = loadReportTemplates();
export const GENERATED_AT = '2026-03-20T09:01:00.000Z';
