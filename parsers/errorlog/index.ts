/** SQL Server ERRORLOG parser: bytes → entries and events in the EVTX model. See MAPPING.md. */
export { errorlogSteps, parseErrorlog, streamErrorlog, type ErrorlogStreamOptions, type ErrorlogHeader, type ErrorlogSummary } from './parse.js';
export { renderMssqlMessage, mssqlMessageTemplate, fillTemplate, MSSQL_MESSAGE_TEMPLATES, type MssqlMessageTemplate } from './messages.js';
export { inferMssqlEvent, parseErrorLine, type InferredEvent } from './infer.js';
export { providerOf, hostOf, DEFAULT_INSTANCE } from './banner.js';
export { parseUtcAdjustment } from './entry-line.js';
export * from './limits.js';
export type * from './types.js';
