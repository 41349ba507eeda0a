// The add-on knowledge (extraction, eventtypes, tags, CIM data sets): the API search stages use.
export * from './addons/index.js';
// The content-mapping normalisers the tstats replay uses until it is switched to the add-on API.
export * from './types.js';
export * from './derivations.js';
export * from './spec.js';
export * from './cim.js';
export * from './builtin.js';
export * from './normaliser.js';
export * from './shape.js';
