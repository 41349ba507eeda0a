import { closest } from '../schemas.js';
import type { Finding, FileRule } from '../types.js';
import { qualifiedNames, resolveTarget, writtenFields } from './datamodel.js';

/**
 * `tstats … from datamodel=X.Y`: the data model and dataset exist in CIM 4.20, and every field the
 * command names (WHERE, BY, aggregates) is a field of that dataset — a typo such as
 * `Processes.proces_name` silently matches nothing in Splunk.
 */
export const datamodelField: FileRule = {
  id: 'datamodel-field',
  scope: 'file',
  kinds: ['detection'],
  defaultSeverity: 'error',
  description: 'tstats reads an existing CIM data model dataset, and every field it names (where/by/aggregates) belongs to it.',
  check(ctx) {
    const search = ctx.search();
    const tstats = search?.tstats();
    if (!search || !tstats) return [];
    const models = search.dataModels();
    const target = resolveTarget(tstats, models);
    if (!target.ok) return target.problem ? [{ ...search.positionOfExpanded(target.problem.start), message: target.problem.message }] : [];
    const out: Finding[] = [];
    const where = `${target.model}.${target.dataset.path.join('.')}`;
    for (const w of writtenFields(tstats)) {
      const f = models.resolveField(target.dataset, w.field);
      if (f && !(f.kind === 'nodename' && w.role !== 'where')) continue;
      const s = closest(w.field, qualifiedNames(target.dataset));
      const what = w.role === 'by' ? 'BY field' : w.role === 'aggregate' ? 'aggregated field' : 'field';
      out.push({ ...search.positionOfExpanded(w.start), message: `${what} ${w.field} is not a field of data model ${where}${s ? ` (did you mean ${s}?)` : ''}` });
    }
    return out;
  },
};
