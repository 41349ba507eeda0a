export * from './types.js';
export * from './derivations.js';
export * from './spec.js';
export * from './cim.js';
export * from './builtin.js';
export * from './normaliser.js';
export * from './shape.js';
