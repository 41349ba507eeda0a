import type { TreeRule } from '../types.js';
import { duplicateFindings } from './duplicates.js';

/** contentctl: ids are global; a second object with the same id, of any kind, is an error. */
export const uniqueId: TreeRule = {
  id: 'unique-id',
  scope: 'tree',
  kinds: ['detection', 'story', 'data_source', 'macro', 'lookup'],
  defaultSeverity: 'error',
  description: 'Every id is unique across the whole content tree (all kinds).',
  check(ctx) {
    return duplicateFindings(
      ctx.files,
      (f) => f.id,
      (v) => v.toLowerCase(),
      (v) => `id ${v}`,
    );
  },
};
