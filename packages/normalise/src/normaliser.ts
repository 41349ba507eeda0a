import { BUILTIN_SPECS } from './builtin.js';
import { CIM_CALCULATED, CIM_CALCULATED_INPUTS, CIM_CALCULATED_OUTPUTS } from './cim.js';
import { shapeFactory, type ShapeFactory } from './shape.js';
import { compileSpec, rawFieldsOfKey, type CompiledSpec, type NormaliserSpec, type SpecProblem } from './spec.js';
import type { CimEvent, EventMeta, RawEvent } from './types.js';

/**
 * The subset of an ESCU data source (`data_sources/*.yml`) the normalisers read. The dac extension
 * `separator_value` is the value of the `separator` field that selects this data source's events
 * (`separator: EventID`, `separator_value: '1'`).
 */
export interface DataSourceLike {
  name: string;
  source?: string;
  sourcetype?: string;
  separator?: string;
  separator_value?: string | number;
  field_mappings?: { data_model?: string; data_set?: string; mapping?: Record<string, unknown> }[];
}

/** Turns ESCU data sources into normaliser specs (one per CIM field_mappings entry). */
export function specsFromDataSources(sources: DataSourceLike[]): { specs: NormaliserSpec[]; problems: SpecProblem[] } {
  const specs: NormaliserSpec[] = [];
  const problems: SpecProblem[] = [];
  for (const ds of sources) {
    if (!ds || typeof ds.name !== 'string' || !Array.isArray(ds.field_mappings)) continue;
    for (const fm of ds.field_mappings) {
      if (!fm || String(fm.data_model).toLowerCase() !== 'cim' || typeof fm.data_set !== 'string' || !fm.mapping)
        continue;
      if (typeof ds.sourcetype !== 'string' || ds.sourcetype === '') {
        problems.push({
          spec: ds.name,
          key: 'sourcetype',
          message: 'a data source with CIM field_mappings needs a sourcetype',
        });
        continue;
      }
      const where: Record<string, string> = {};
      if (ds.separator && ds.separator_value !== undefined) where[ds.separator] = String(ds.separator_value);
      specs.push({
        name: ds.name,
        sourcetype: ds.sourcetype,
        source: ds.source,
        where,
        dataSet: fm.data_set,
        mapping: Object.entries(fm.mapping).map(([k, v]) => [k, String(v)]),
      });
    }
  }
  return { specs, problems };
}

export interface Normaliser {
  dataSet: string;
  problems: SpecProblem[];
  /** The specs that may apply to events of this sourcetype (for "no normaliser" diagnostics). */
  specsFor(sourcetype: string): NormaliserSpec[];
  /**
   * Every raw field the normalisers of this sourcetype read (mapping keys, `where`, derivation
   * inputs) — or, with `cimFields`, only those needed to compute these CIM fields (including
   * the inputs of CIM calculated fields that derive from others, e.g. process_name ← process).
   */
  rawFieldsFor(sourcetype: string, cimFields?: ReadonlySet<string>): Set<string>;
  /** The event as the data set sees it, or undefined when no normaliser puts it in the data set. */
  normalise(raw: RawEvent, meta: EventMeta): CimEvent | undefined;
}

function matchesWhere(c: CompiledSpec, raw: RawEvent): boolean {
  for (const [field, want] of c.where) {
    const v = raw.fields[field];
    if (v === undefined) return false;
    if (typeof v === 'string') {
      if (v !== want && v.toLowerCase() !== want) return false;
    } else if (!v.some((x) => x.toLowerCase() === want)) return false;
  }
  return true;
}

/**
 * Builds the normaliser for one CIM data set (`Endpoint.Processes`) from specs; content data
 * sources first, then the built-in ones whose names the content does not define. An event is
 * normalised by the first spec whose sourcetype, source and `where` match it.
 */
export function createNormaliser(
  specs: NormaliserSpec[],
  dataSet: string,
  opts: { builtins?: boolean } = {},
): Normaliser {
  const all = [...specs];
  if (opts.builtins !== false) {
    const names = new Set(specs.map((s) => s.name.toLowerCase()));
    for (const b of BUILTIN_SPECS) if (!names.has(b.name.toLowerCase())) all.push(b);
  }
  const problems: SpecProblem[] = [];
  const compiled: CompiledSpec[] = [];
  const shapes = new Map<CompiledSpec, ShapeFactory>();
  for (const s of all) {
    if (s.dataSet.toLowerCase() !== dataSet.toLowerCase()) continue;
    const r = compileSpec(s);
    problems.push(...r.problems);
    if (r.compiled) {
      compiled.push(r.compiled);
      shapes.set(
        r.compiled,
        shapeFactory([
          '_time',
          'host',
          'source',
          'sourcetype',
          ...r.compiled.fields.map(([f]) => f),
          ...(CIM_CALCULATED_OUTPUTS[dataSet] ?? []),
        ]),
      );
    }
  }
  const calculated = CIM_CALCULATED[dataSet];
  const cache = new Map<string, CompiledSpec[]>();
  // Consecutive events nearly always share sourcetype and source: remember the last pair.
  let lastSt: string | undefined;
  let lastSrc: string | undefined;
  let lastC: CompiledSpec[] = [];
  const candidates = (meta: EventMeta): CompiledSpec[] => {
    if (meta.sourcetype === lastSt && meta.source === lastSrc) return lastC;
    const key = `${meta.sourcetype}\u0000${meta.source}`;
    let c = cache.get(key);
    if (!c) {
      const st = meta.sourcetype.toLowerCase();
      const src = meta.source.toLowerCase();
      c = compiled.filter((x) => x.sourcetypeLc === st && (x.sourceLc === undefined || x.sourceLc === src));
      cache.set(key, c);
    }
    lastSt = meta.sourcetype;
    lastSrc = meta.source;
    lastC = c;
    return c;
  };
  return {
    dataSet,
    problems,
    specsFor: (sourcetype) => compiled.filter((c) => c.sourcetypeLc === sourcetype.toLowerCase()).map((c) => c.spec),
    rawFieldsFor(sourcetype, cimFields) {
      const out = new Set<string>();
      let targets: Set<string> | undefined;
      if (cimFields) {
        targets = new Set(cimFields);
        for (const f of cimFields) for (const d of CIM_CALCULATED_INPUTS[dataSet]?.[f] ?? []) targets.add(d);
      }
      const root = dataSet.split('.').pop()!;
      for (const c of compiled) {
        if (c.sourcetypeLc !== sourcetype.toLowerCase()) continue;
        for (const [k] of c.where) out.add(k);
        for (const [key, target] of c.spec.mapping) {
          if (targets && !targets.has(target.startsWith(`${root}.`) ? target.slice(root.length + 1) : target)) continue;
          for (const f of rawFieldsOfKey(key)) out.add(f);
        }
      }
      return out;
    },
    normalise(raw, meta) {
      const cs = candidates(meta);
      for (const c of cs) {
        if (!matchesWhere(c, raw)) continue;
        const ev: CimEvent = shapes.get(c)!();
        ev._time = raw.time;
        ev.host = meta.host;
        ev.source = meta.source;
        ev.sourcetype = meta.sourcetype;
        for (const [field, get] of c.fields) {
          const v = get(raw.fields);
          if (v !== undefined) ev[field] = v;
        }
        calculated?.(ev, meta);
        return ev;
      }
      return undefined;
    },
  };
}
