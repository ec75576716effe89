export * from './errors.js';
export * from './byte-source.js';
export * from './byte-reader.js';
export * from './time.js';
