export * from './openapi.js';
export * from './operations.js';
export * from './problems.js';
export * from './schemas.js';
export type * from './types.js';
