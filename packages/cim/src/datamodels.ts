import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assetPath } from '@dac/assets';

/**
 * Splunk CIM data models (Splunk_SA_CIM 4.20.0, `default/data/models/*.json`, copied into
 * `schemas/datamodels/`). A data model is a tree of datasets ("objects"): root datasets whose
 * parent is `BaseEvent`/`BaseSearch`, and child datasets that inherit their parent's fields and
 * add a constraint. tstats addresses a dataset's fields with the dataset lineage as prefix
 * (`Processes.process_name`, `All_Changes.Account_Management.src_user`), except the built-in
 * fields `_time host source sourcetype` (splunk-semantics.md §1.10, "Data-model field naming").
 */

export type FieldType = 'string' | 'number' | 'boolean' | 'ipv4' | 'timestamp' | (string & {});

export interface DataModelField {
  name: string;
  type: FieldType;
  multivalue: boolean;
  required: boolean;
  comment?: string;
  /** Lineage path of the dataset that defines the field (`[]` for the built-in fields). */
  owner: string[];
  /** How the field gets its value: extracted by the add-on, calculated by the model (Eval/Rex/Lookup output), or built in. */
  kind: 'extracted' | 'calculated' | 'builtin' | 'nodename';
  /** For calculated fields: the Eval expression (or Rex/Lookup description). */
  expression?: string;
}

export interface Dataset {
  model: string;
  name: string;
  /** Lineage from the root dataset: `['Processes']`, `['Authentication', 'Failed_Authentication']`. */
  path: string[];
  parent?: Dataset;
  children: Dataset[];
  /** Own + inherited + calculated/output fields + the built-ins `_time host source sourcetype`. */
  fields: DataModelField[];
  /** The dataset's search constraint text (`tag=process tag=report`, `action="failure"`), if any. */
  constraint?: string;
  /** The dataset's own constraint searches as the JSON lists them (non-empty ones; `constraint` joins them). */
  constraints: string[];
  /** The dataset's own calculations (Eval, Rex, Lookup, GeoIP), in file order. */
  calculations: DataModelCalculation[];
  /** Root datasets of type BaseSearch carry a whole base search instead of a constraint. */
  baseSearch?: string;
  displayName?: string;
  comment?: string;
}

/** One calculation of a dataset, as the data model JSON declares it. */
export interface DataModelCalculation {
  /** `Eval`, `Rex`, `Lookup`, `GeoIP`. */
  type: string;
  expression?: string;
  inputField?: string;
  lookupName?: string;
  /** Names of the fields the calculation writes. */
  outputFields: string[];
}

export interface DataModel {
  name: string;
  displayName: string;
  description: string;
  /** Every dataset, in file order (parents before children). */
  datasets: Dataset[];
  roots: Dataset[];
}

export interface DataModels {
  /** The model with this exact (case-sensitive) name. */
  model(name: string): DataModel | undefined;
  /**
   * The dataset at `path` in `model`. A path may be the full lineage (`['Authentication',
   * 'Failed_Authentication']`) or, as `from datamodel=Model.Child` is sometimes written, a single
   * non-root dataset name when it is unique in the model.
   */
  dataset(model: string, path: string[]): Dataset | undefined;
  /**
   * The field a written name refers to in the context of `dataset`, or undefined when the data
   * model has no such field. Accepts `Processes.process_name` (lineage prefix + field), the
   * lineage of a descendant dataset (`All_Changes.Account_Management.src_user`), the built-ins
   * (`_time`, `host`, `source`, `sourcetype`, `index`) unprefixed, and `nodename`.
   */
  resolveField(dataset: Dataset, written: string): DataModelField | undefined;
  /**
   * Like resolveField for a model selected without dataset (`from datamodel=Network_Traffic`):
   * the prefix picks the root dataset. Returns the dataset the prefix names, too.
   */
  resolveInModel(model: string, written: string): { dataset: Dataset; field: DataModelField } | undefined;
  /** Model names, sorted. */
  names(): string[];
  /** Directory the JSON files were read from. */
  readonly dir: string;
}

/**
 * Fields every dataset has without a prefix (inherited from BaseEvent). `index` is not a
 * data-model field but is always an indexed field, and tstats WHERE accepts `index=…`.
 */
export const BUILTIN_FIELDS: readonly DataModelField[] = [
  {
    name: '_time',
    type: 'timestamp',
    multivalue: false,
    required: false,
    owner: [],
    kind: 'builtin',
    comment: 'Event time, epoch seconds',
  },
  {
    name: 'host',
    type: 'string',
    multivalue: false,
    required: false,
    owner: [],
    kind: 'builtin',
    comment: 'Host the event came from',
  },
  {
    name: 'source',
    type: 'string',
    multivalue: false,
    required: false,
    owner: [],
    kind: 'builtin',
    comment: 'Source of the event',
  },
  {
    name: 'sourcetype',
    type: 'string',
    multivalue: false,
    required: false,
    owner: [],
    kind: 'builtin',
    comment: 'Source type of the event',
  },
  {
    name: 'index',
    type: 'string',
    multivalue: false,
    required: false,
    owner: [],
    kind: 'builtin',
    comment: 'Index the event is stored in',
  },
];
const BUILTIN_BY_NAME = new Map(BUILTIN_FIELDS.map((f) => [f.name, f]));

/** `where nodename=Root.Child` selects a child dataset (splunk-semantics.md §1.10). */
export const NODENAME_FIELD: DataModelField = {
  name: 'nodename',
  type: 'string',
  multivalue: false,
  required: false,
  owner: [],
  kind: 'nodename',
  comment: 'Selects a child dataset: nodename=Root.Child',
};

// --- JSON shapes (Splunk_SA_CIM data model JSON) -------------------------------------------------

interface JsonField {
  fieldName: string;
  type?: string;
  multivalue?: boolean;
  required?: boolean;
  hidden?: boolean;
  comment?: unknown;
}
interface JsonCalculation {
  calculationType?: string;
  expression?: string;
  inputField?: string;
  lookupName?: string;
  outputFields?: JsonField[];
}
interface JsonObject {
  objectName: string;
  displayName?: string;
  parentName?: string;
  comment?: unknown;
  fields?: JsonField[];
  calculations?: JsonCalculation[];
  constraints?: { search?: string }[];
  baseSearch?: string;
}
interface JsonModel {
  modelName: string;
  displayName?: string;
  description?: string;
  objects?: JsonObject[];
}

function commentText(c: unknown): string | undefined {
  if (typeof c === 'string') return c || undefined;
  if (c && typeof c === 'object' && typeof (c as { description?: unknown }).description === 'string') {
    return (c as { description: string }).description || undefined;
  }
  return undefined;
}

function toField(f: JsonField, owner: string[], kind: DataModelField['kind'], expression?: string): DataModelField {
  const field: DataModelField = {
    name: f.fieldName,
    type: f.type ?? 'string',
    multivalue: f.multivalue === true,
    required: f.required === true,
    owner,
    kind,
  };
  const comment = commentText(f.comment);
  if (comment) field.comment = comment;
  if (expression) field.expression = expression;
  return field;
}

/** Builds a DataModel from the parsed JSON of one Splunk data model file. */
export function buildDataModel(json: JsonModel): DataModel {
  const name = json.modelName;
  const byName = new Map<string, Dataset>();
  const datasets: Dataset[] = [];
  const roots: Dataset[] = [];
  const objects = json.objects ?? [];
  // Parents come before children in every CIM file, but do not rely on it: resolve in passes.
  const pending = [...objects];
  let progress = true;
  while (pending.length > 0 && progress) {
    progress = false;
    for (let i = 0; i < pending.length; i++) {
      const o = pending[i]!;
      const isRoot =
        !o.parentName ||
        o.parentName === 'BaseEvent' ||
        o.parentName === 'BaseSearch' ||
        o.parentName === 'BaseTransaction';
      const parent = isRoot ? undefined : byName.get(o.parentName!);
      if (!isRoot && !parent) continue;
      pending.splice(i--, 1);
      progress = true;
      const path = parent ? [...parent.path, o.objectName] : [o.objectName];
      const own: DataModelField[] = [];
      for (const f of o.fields ?? []) {
        // `_time`, `host`, … appear as fields of a few BaseSearch roots; they stay built-ins.
        if (BUILTIN_BY_NAME.has(f.fieldName)) continue;
        own.push(toField(f, path, 'extracted'));
      }
      for (const c of o.calculations ?? []) {
        const expr =
          c.expression ??
          (c.calculationType === 'Lookup'
            ? `lookup ${c.lookupName ?? ''}`
            : c.inputField
              ? `rex field=${c.inputField}`
              : undefined);
        for (const f of c.outputFields ?? []) {
          if (BUILTIN_BY_NAME.has(f.fieldName)) continue;
          own.push(toField(f, path, 'calculated', expr));
        }
      }
      const fields = mergeFields(parent ? parent.fields.filter((f) => f.kind !== 'builtin') : [], own);
      fields.push(...BUILTIN_FIELDS);
      const constraints = (o.constraints ?? []).map((c) => c.search ?? '').filter((s) => s.trim() !== '');
      const constraint = constraints.join(' ');
      const calculations = (o.calculations ?? []).map(
        (c): DataModelCalculation => ({
          type: c.calculationType ?? '',
          ...(c.expression !== undefined && { expression: c.expression }),
          ...(c.inputField !== undefined && { inputField: c.inputField }),
          ...(c.lookupName !== undefined && { lookupName: c.lookupName }),
          outputFields: (c.outputFields ?? []).map((f) => f.fieldName),
        }),
      );
      const ds: Dataset = { model: name, name: o.objectName, path, fields, children: [], constraints, calculations };
      if (parent) ds.parent = parent;
      if (constraint) ds.constraint = constraint;
      if (o.baseSearch) ds.baseSearch = o.baseSearch;
      if (o.displayName) ds.displayName = o.displayName;
      const comment = commentText(o.comment);
      if (comment) ds.comment = comment;
      parent?.children.push(ds);
      if (!parent) roots.push(ds);
      byName.set(o.objectName, ds);
      datasets.push(ds);
    }
  }
  return { name, displayName: json.displayName ?? name, description: json.description ?? '', datasets, roots };
}

/** Inherited fields first, then own ones; a redefinition replaces the inherited field in place. */
function mergeFields(inherited: DataModelField[], own: DataModelField[]): DataModelField[] {
  const out = [...inherited];
  const index = new Map(out.map((f, i) => [f.name, i]));
  for (const f of own) {
    const i = index.get(f.name);
    if (i !== undefined) out[i] = f;
    else {
      index.set(f.name, out.length);
      out.push(f);
    }
  }
  return out;
}

class DataModelsImpl implements DataModels {
  private readonly models = new Map<string, DataModel>();
  /** Per dataset: field name → field, for O(1) resolution. */
  private readonly fieldIndex = new WeakMap<Dataset, Map<string, DataModelField>>();

  constructor(
    models: DataModel[],
    readonly dir: string,
  ) {
    for (const m of models) this.models.set(m.name, m);
  }

  model(name: string): DataModel | undefined {
    return this.models.get(name);
  }

  names(): string[] {
    return [...this.models.keys()].sort();
  }

  dataset(model: string, path: string[]): Dataset | undefined {
    const m = this.models.get(model);
    if (!m || path.length === 0) return undefined;
    const exact = m.datasets.find((d) => samePath(d.path, path));
    if (exact) return exact;
    if (path.length === 1) {
      const named = m.datasets.filter((d) => d.name === path[0]);
      if (named.length === 1) return named[0];
    }
    return undefined;
  }

  private fieldsOf(ds: Dataset): Map<string, DataModelField> {
    let idx = this.fieldIndex.get(ds);
    if (!idx) {
      idx = new Map(ds.fields.map((f) => [f.name, f]));
      this.fieldIndex.set(ds, idx);
    }
    return idx;
  }

  resolveField(dataset: Dataset, written: string): DataModelField | undefined {
    const w = written.trim();
    const builtin = BUILTIN_BY_NAME.get(w);
    if (builtin) return builtin;
    if (w === 'nodename') return NODENAME_FIELD;
    const dot = w.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const prefix = w.slice(0, dot).split('.');
    const name = w.slice(dot + 1);
    const root = dataset.path[0];
    if (prefix[0] !== root) return undefined;
    const m = this.models.get(dataset.model);
    const target = m?.datasets.find((d) => samePath(d.path, prefix));
    if (!target) return undefined;
    // The prefix names the dataset itself, an ancestor, or a descendant (`nodename` selections);
    // a sibling branch is a different dataset whose fields this search cannot see.
    const related = isPrefix(target.path, dataset.path) || isPrefix(dataset.path, target.path);
    if (!related) return undefined;
    const f = this.fieldsOf(target).get(name);
    return f && f.kind !== 'builtin' ? f : undefined;
  }

  resolveInModel(model: string, written: string): { dataset: Dataset; field: DataModelField } | undefined {
    const m = this.models.get(model);
    if (!m) return undefined;
    const w = written.trim();
    const first = w.split('.')[0];
    const root = m.roots.find((r) => r.name === first) ?? m.roots[0];
    if (!root) return undefined;
    const field = this.resolveField(root, w);
    return field ? { dataset: root, field } : undefined;
  }
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}
function isPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => s === path[i]);
}

/** The written (qualified) name of a field as seen from a dataset: `Processes.process_name`, `_time`. */
export function qualifiedFieldName(field: DataModelField): string {
  return field.owner.length === 0 ? field.name : `${field.owner.join('.')}.${field.name}`;
}

/** Reads every `*.json` data model in a directory (sorted by file name). */
export function loadDataModelsFrom(dir: string): DataModels {
  const models: DataModel[] = [];
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const json = JSON.parse(readFileSync(join(dir, f), 'utf8')) as JsonModel;
    if (typeof json?.modelName === 'string') models.push(buildDataModel(json));
  }
  return new DataModelsImpl(models, dir);
}

let cached: DataModels | undefined;

/** The CIM 4.20 data models dac ships (`schemas/datamodels/*.json`, located by @dac/assets), read once per thread. */
export function loadDataModels(): DataModels {
  cached ??= loadDataModelsFrom(assetPath('dataModels'));
  return cached;
}
