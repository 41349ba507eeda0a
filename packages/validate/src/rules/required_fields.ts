import type { DataModels, Dataset } from '@dac/cim';
import { closest } from '../schemas.js';
import type { Finding, FileRule } from '../types.js';
import { allTstats, qualifiedNames, resolveTarget } from './datamodel.js';

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
    const list = (ctx.data.tags as Record<string, unknown> | undefined)?.required_fields;
    if (!Array.isArray(list)) return [];
    const search = ctx.search();
    if (!search?.tstats()) return [];
    const models = search.dataModels();
    const targets: { model: string; dataset: Dataset }[] = [];
    for (const t of allTstats(search.parsed.pipeline)) {
      const target = resolveTarget(t, models);
      // A model dac cannot check (ES data models) makes the field list unknowable: no guessing.
      if (!target.ok) return [];
      targets.push(target);
    }
    const bare = bareNames(models, targets);
    const out: Finding[] = [];
    list.forEach((field, i) => {
      if (typeof field !== 'string' || ctx.schemaFailed(['tags', 'required_fields', i])) return;
      if (bare.has(field)) return;
      if (targets.some((t) => models.resolveField(t.dataset, field) || models.resolveInModel(t.model, field))) return;
      const s = closest(field, targets.flatMap((t) => qualifiedNames(t.dataset)));
      const used = [...new Set(targets.map((t) => `${t.model}.${t.dataset.path.join('.')}`))].join(', ');
      out.push({ ...ctx.pos(['tags', 'required_fields', i]), message: `required field ${field} is not a field of the data model the search uses (${used})${s ? ` (did you mean ${s}?)` : ''}` });
    });
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
