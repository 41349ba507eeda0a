import type { TreeRule } from '../types.js';
import { duplicateFindings } from './duplicates.js';

/** contentctl: names are global; a second object with the same name, of any kind, is an error. */
export const uniqueName: TreeRule = {
  id: 'unique-name',
  scope: 'tree',
  kinds: ['detection', 'story', 'data_source', 'macro', 'lookup'],
  defaultSeverity: 'error',
  description: 'Every name is unique across the whole content tree (all kinds).',
  check(ctx) {
    return duplicateFindings(
      ctx.files,
      (f) => f.name,
      (v) => v,
      (v) => `name "${v}"`,
    );
  },
};
