import { qualifiedFieldName, resolveTarget, type DataModels, type Dataset } from '@dac/cim';
import { closestName, type Pipeline, type SearchExpr, type TstatsCommand } from '@dac/spl';
import type { Finding, FileRule } from '../types.js';

/**
 * For a data-model search (`tstats … from datamodel=X.Y`, also in subsearches), every
 * tags.required_fields entry is a field of a data model the search uses: written with its dataset
 * prefix (`Processes.process_name`, resolved through CIM) or, as ESCU often lists them, bare
 * (`process_name`) when such a field exists in one of those models. Searches over raw events name
 * raw fields, which no schema describes: not checked.
 */
export const requiredFields: FileRule = {
  id: 'required-fields',
  scope: 'file',
  kinds: ['detection'],
  defaultSeverity: 'error',
  description: 'tags.required_fields of a data-model (tstats) search are fields of the data model(s) it uses.',
  check(ctx) {
    const list = ctx.detection!.tags.value?.required_fields.value;
    if (!list) return [];
    const search = ctx.search();
    if (!search?.tstats()) return [];
    const models = search.dataModels();
    const targets: Dataset[] = [];
    for (const t of allTstats(search.parsed.pipeline)) {
      // The dataset as the tstats plan (@dac/cim) resolves it. None (not a data model, an unknown one, or an ES
      // model dac cannot check) makes the field list unknowable: no guessing. Unknown models and
      // datasets are datamodel-field's to report.
      const { dataset } = resolveTarget(t, models);
      if (!dataset) return [];
      targets.push(dataset);
    }
    const bare = bareNames(models, targets);
    const out: Finding[] = [];
    for (const f of list) {
      const field = f.value;
      if (field === undefined || ctx.schemaFailed(f) || bare.has(field)) continue;
      if (targets.some((t) => models.resolveField(t, field) || models.resolveInModel(t.model, field))) continue;
      const s = closestName(
        field,
        targets.flatMap((t) => t.fields.map(qualifiedFieldName)),
      );
      const used = [...new Set(targets.map((t) => `${t.model}.${t.path.join('.')}`))].join(', ');
      out.push({
        ...ctx.pos(f),
        message: `required field ${field} is not a field of the data model the search uses (${used})${s ? ` (did you mean ${s}?)` : ''}`,
      });
    }
    return out;
  },
};

const bareByModel = new WeakMap<DataModels, Map<string, Set<string>>>();

/** Unprefixed names of every field of every dataset of the models used (per model, computed once). */
function bareNames(models: DataModels, targets: { model: string }[]): { has(name: string): boolean } {
  let cache = bareByModel.get(models);
  if (!cache) bareByModel.set(models, (cache = new Map()));
  const sets: Set<string>[] = [];
  for (const name of new Set(targets.map((t) => t.model))) {
    let set = cache.get(name);
    if (!set) {
      set = new Set();
      for (const d of models.model(name)?.datasets ?? []) for (const f of d.fields) set.add(f.name);
      cache.set(name, set);
    }
    sets.push(set);
  }
  return { has: (n) => sets.some((s) => s.has(n)) };
}

/** Every tstats command of a pipeline, including those in subsearches (`join … [| tstats …]`). */
function allTstats(pipeline: Pipeline, depth = 0, out: TstatsCommand[] = []): TstatsCommand[] {
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
