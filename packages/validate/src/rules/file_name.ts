import { snakeCase } from '@dac/content';
import type { FileRule } from '../types.js';

/** contentctl `ensureFileNameMatchesSearchName`: the file is `snake_case(name).yml`. */
export const fileName: FileRule = {
  id: 'file-name',
  scope: 'file',
  kinds: ['detection', 'story', 'data_source', 'macro', 'lookup'],
  defaultSeverity: 'error',
  description: 'The file name must be snake_case(name) + ".yml" (name lowercased; space, -, . and / become _).',
  check(ctx) {
    const name = ctx.document.name.value;
    if (name === undefined || ctx.schemaFailed(ctx.document.name)) return [];
    const expected = `${snakeCase(name)}.yml`;
    const base = ctx.file.relPath.slice(ctx.file.relPath.lastIndexOf('/') + 1);
    if (base === expected) return [];
    return [
      {
        ...ctx.pos(ctx.document.name),
        message: `file name "${base}" does not match the name "${name}": expected "${expected}"`,
      },
    ];
  },
};
