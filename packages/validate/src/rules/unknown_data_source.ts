import { closestName } from '@dac/spl';
import type { TreeFinding, TreeRule } from '../types.js';

interface DataSourceRef {
  name: string;
  line: number;
  column: number;
}

/**
 * contentctl: each data_source entry, split on "AND" (`Sysmon EventID 1 AND Sysmon EventID 11`),
 * names a data source object. contentctl 4.x only warned; 5.x raises an error, as dac does.
 */
export const unknownDataSource: TreeRule<DataSourceRef[]> = {
  id: 'unknown-data-source',
  scope: 'tree',
  kinds: ['detection'],
  defaultSeverity: 'error',
  description: 'Every data_source entry (each part of an "A AND B" entry) names a data source in data_sources/.',
  collect(ctx) {
    const list = ctx.detection!.data_source.value;
    if (!list) return undefined;
    const refs: DataSourceRef[] = [];
    for (const f of list) {
      const entry = f.value;
      if (entry === undefined || ctx.schemaFailed(f)) continue;
      const re = /\s+AND\s+/g;
      let start = 0;
      const parts: [string, number][] = [];
      for (let m = re.exec(entry); m; m = re.exec(entry)) {
        parts.push([entry.slice(start, m.index), start]);
        start = m.index + m[0].length;
      }
      parts.push([entry.slice(start), start]);
      for (const [raw, offset] of parts) {
        const lead = raw.length - raw.trimStart().length;
        const name = raw.trim();
        if (name) refs.push({ name, ...ctx.posInValue(f, offset + lead) });
      }
    }
    return refs;
  },
  check(ctx) {
    const names = ctx.ofKind('data_source').flatMap((f) => (f.name ? [f.name.value] : []));
    const out: TreeFinding[] = [];
    for (const { facts, value } of ctx.collected()) {
      for (const r of value) {
        if (ctx.nameExists('data_source', r.name)) continue;
        const s = closestName(r.name, names);
        out.push({
          file: facts.file,
          line: r.line,
          column: r.column,
          message: `unknown data source "${r.name}": no data source with this name in data_sources/${s ? ` (did you mean "${s}"?)` : ''}`,
        });
      }
    }
    return out;
  },
};
