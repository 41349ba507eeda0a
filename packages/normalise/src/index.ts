// The add-on knowledge (extraction, eventtypes, tags, CIM data sets): the API search stages use.
export * from './addons/index.js';
// Shapes shared with the readers; the mapping-key notation and derivations `checkFieldMappings` reads.
export * from './types.js';
export * from './derivations.js';
export * from './spec.js';
export * from './shape.js';
