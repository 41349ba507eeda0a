import { planTstats } from '@dac/cim';
import type { FileRule } from '../types.js';

/**
 * `tstats … from datamodel=X.Y`: the data model and dataset exist in CIM 4.20, and every field the
 * command names (WHERE, BY, aggregates) is a field of that dataset — a typo such as
 * `Processes.proces_name` silently matches nothing in Splunk.
 *
 * The checks are @dac/cim's planTstats (the same resolution the matcher compiler uses, so
 * `dac validate` and `dac compile` agree). Its diagnostics other than errors are not this rule's:
 * `matcher-unsupported` (a tstats that is not over a data model) and the warning for Enterprise
 * Security models, whose fields cannot be checked against CIM.
 */
export const datamodelField: FileRule = {
  id: 'datamodel-field',
  scope: 'file',
  kinds: ['detection'],
  defaultSeverity: 'error',
  description:
    'tstats reads an existing CIM data model dataset, and every field it names (where/by/aggregates) belongs to it.',
  check(ctx) {
    const search = ctx.search();
    const tstats = search?.tstats();
    if (!search || !tstats) return [];
    return (
      planTstats(tstats, search.dataModels())
        .diagnostics.filter(
          (d) => d.severity === 'error' && (d.rule === 'datamodel-unknown' || d.rule === 'datamodel-field'),
        )
        // PlanDiagnostic offsets are in the expanded search; positionOfExpanded maps them back.
        .map((d) => ({ ...search.positionOfExpanded(d.start), message: d.message }))
    );
  },
};
