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
    const observables = ctx.detection!.tags.value?.observable.value;
    if (!observables) return [];
    const search = ctx.search();
    if (!search) return [];
    const { fields, complete } = search.outputs();
    // A wildcard output (`stats latest(*) as *`) means unknown fields may be present.
    if (!complete || [...fields].some((f) => f.includes('*'))) return [];
    const out: Finding[] = [];
    for (const o of observables) {
      const name = o.value?.name;
      if (name?.value === undefined || ctx.schemaFailed(name) || fields.has(name.value)) continue;
      out.push({
        ...ctx.pos(name),
        message: `observable "${name.value}" is not a field the search outputs (outputs: ${[...fields].sort().join(', ')})`,
      });
    }
    return out;
  },
};
