import type { DataModels, Dataset } from '@dac/cim';
import type { Pipeline, SearchExpr, TstatsCommand } from '@dac/spl';
import { closest } from '../schemas.js';

/**
 * Data models that Splunk Enterprise Security (or other apps) ship rather than Splunk_SA_CIM: a
 * search over them is legitimate but its fields cannot be checked against CIM 4.20, so data-model
 * rules skip them (same list as @dac/matchers NON_CIM_MODELS).
 */
export const NON_CIM_MODELS: ReadonlySet<string> = new Set([
  'Risk', 'UEBA', 'Identity_Management', 'Assets_And_Identities', 'Threat_Intelligence', 'Incident_Management',
  'Domain_Analysis', 'Audit', 'Endpoint_Detection_And_Response',
]);

export type Target =
  | { ok: true; model: string; dataset: Dataset }
  | { ok: false; problem?: { start: number; message: string } };

/** The dataset `tstats … from datamodel=Model.Dataset` reads (expanded-text offsets in problems). */
export function resolveTarget(tstats: TstatsCommand, models: DataModels): Target {
  const dm = tstats.datamodel;
  if (!dm) return { ok: false };
  const model = models.model(dm.model);
  if (!model) {
    if (NON_CIM_MODELS.has(dm.model)) return { ok: false };
    const s = closest(dm.model, models.names());
    return { ok: false, problem: { start: dm.span.start, message: `unknown data model ${dm.model}${s ? ` (did you mean ${s}?)` : ''}; CIM 4.20 has ${models.names().join(', ')}` } };
  }
  if (dm.dataset.length === 0) {
    // `from datamodel=Web`: the root dataset named by the fields' prefix (as @dac/matchers resolves it).
    const prefixes = writtenFields(tstats).map((f) => f.field.split('.')[0]!);
    const root = model.roots.find((r) => prefixes.includes(r.name)) ?? model.roots[0];
    return root ? { ok: true, model: model.name, dataset: root } : { ok: false };
  }
  const dataset = models.dataset(dm.model, dm.dataset);
  if (!dataset) {
    const s = closest(dm.dataset.join('.'), model.datasets.map((d) => d.path.join('.')));
    return { ok: false, problem: { start: dm.span.start, message: `data model ${dm.model} has no dataset ${dm.dataset.join('.')}${s ? ` (did you mean ${s}?)` : ''}` } };
  }
  return { ok: true, model: model.name, dataset };
}

export interface WrittenField {
  field: string;
  start: number;
  role: 'where' | 'by' | 'aggregate';
}

/** Every field a tstats command names: WHERE comparisons, BY fields, aggregated fields. */
export function writtenFields(tstats: TstatsCommand): WrittenField[] {
  const out: WrittenField[] = [];
  const walk = (e: SearchExpr, depth: number): void => {
    if (depth > 200) return;
    if (e.kind === 'and' || e.kind === 'or') for (const a of e.args) walk(a, depth + 1);
    else if (e.kind === 'not') walk(e.arg, depth + 1);
    else if (e.kind === 'compare' || e.kind === 'in') out.push({ field: e.field, start: e.fieldSpan.start, role: 'where' });
  };
  if (tstats.where) walk(tstats.where, 0);
  for (const b of tstats.by) out.push({ field: b.field, start: b.span.start, role: 'by' });
  for (const a of tstats.aggregates) if (a.field !== undefined) out.push({ field: a.field, start: a.span.start, role: 'aggregate' });
  return out;
}

/** Qualified names of a dataset's fields, for "did you mean" hints. */
export function qualifiedNames(dataset: Dataset): string[] {
  return dataset.fields.map((f) => (f.owner.length === 0 ? f.name : `${f.owner.join('.')}.${f.name}`));
}

/** Every tstats command of a pipeline, including those in subsearches (`join … [| tstats …]`). */
export function allTstats(pipeline: Pipeline, depth = 0, out: TstatsCommand[] = []): TstatsCommand[] {
  if (depth > 50) return out;
  const inExpr = (e: SearchExpr | undefined, d: number): void => {
    if (!e || d > 200) return;
    if (e.kind === 'and' || e.kind === 'or') for (const a of e.args) inExpr(a, d + 1);
    else if (e.kind === 'not') inExpr(e.arg, d + 1);
    else if (e.kind === 'subsearch') allTstats(e.pipeline, depth + 1, out);
  };
  for (const c of pipeline.commands) {
    if (c.kind === 'tstats') {
      out.push(c);
      inExpr(c.where, 0);
    } else if (c.kind === 'search') {
      inExpr(c.expr, 0);
    } else {
      for (const a of c.args) if (a.kind === 'subsearch') allTstats(a.pipeline, depth + 1, out);
    }
  }
  return out;
}
