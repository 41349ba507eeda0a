export * from './diagnostic.js';
export * from './naming.js';
export * from './model.js';
export * from './yaml-file.js';
export * from './config.js';
export * from './tree.js';
export * from './fs.js';
