/** SQL Server domain facts: instance naming, where a named DLL is looked for, the host's name. */
export * from './host-name.js';
export * from './instance.js';
export * from './named-dll.js';
