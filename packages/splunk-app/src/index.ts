export * from './py-json.js';
export * from './escu-rules.js';
export * from './view-model.js';
export * from './templates.js';
export * from './render.js';
export * from './tar.js';
export * from './build.js';
