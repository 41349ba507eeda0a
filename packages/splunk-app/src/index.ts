export { buildApp, type BuildOptions, type BuildResult } from './build.js';
export { renderApp, type RenderOptions, type RenderResult } from './render.js';
export type { AppView, ViewOptions } from './view-model.js';
