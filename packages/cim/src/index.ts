export * from './datamodels.js';
