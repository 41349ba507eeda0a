import type { Finding, FileRule } from '../types.js';

/**
 * Every tags.observable name is a field the search outputs: risk and threat objects are read from
 * the result row. Checked only when the output field set is knowable.
 */
export const observableField: FileRule = {
  id: 'observable-field',
  scope: 'file',
  kinds: ['detection'],
  defaultSeverity: 'error',
  description: 'Every tags.observable name is a field the search outputs.',
  check(ctx) {
    const observables = (ctx.data.tags as Record<string, unknown> | undefined)?.observable;
    if (!Array.isArray(observables)) return [];
    const search = ctx.search();
    if (!search) return [];
    const { fields, complete } = search.outputs();
    // A wildcard output (`stats latest(*) as *`) means unknown fields may be present.
    if (!complete || [...fields].some((f) => f.includes('*'))) return [];
    const out: Finding[] = [];
    observables.forEach((o, i) => {
      const name = (o as { name?: unknown } | null)?.name;
      if (typeof name !== 'string' || ctx.schemaFailed(['tags', 'observable', i, 'name']) || fields.has(name)) return;
      out.push({
        ...ctx.pos(['tags', 'observable', i, 'name']),
        message: `observable "${name}" is not a field the search outputs (outputs: ${[...fields].sort().join(', ')})`,
      });
    });
    return out;
  },
};
