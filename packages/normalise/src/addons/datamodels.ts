/**
 * CIM data-set membership and rows, for `| tstats … from datamodel=X[.Y]`.
 *
 * An event belongs to a data set when the data model's own constraint matches it — the JSON's
 * `constraints[].search` of the data set and of every ancestor, or for a BaseSearch root the
 * search part of its `baseSearch` (`(`cim_Endpoint_indexes`) tag=process tag=report`) — evaluated
 * with Splunk's search semantics over the event's search-time fields (so the add-ons' eventtypes
 * and tags decide, exactly as in Splunk). The data model's index macros (`cim_*_indexes`, `()` in
 * Splunk_SA_CIM 4.20 `macros.conf`) match every index.
 *
 * The row of a member event: the base search's `eval`s (Endpoint.Processes lowers
 * process_integrity_level), then the data set's calculations in lineage order (root first; each
 * sees the results of the earlier ones, as data-model calculated fields do) — `Eval` via the
 * compiled eval closures, `Rex` via its named groups — then every data-set field (inherited, own
 * and calculated) plus `_time host source sourcetype index`, with unqualified names
 * (`process_name`, not `Processes.process_name`). Endpoint.Ports' `mvexpand transport_dest_port`
 * turns one event into one row per value. `Lookup` calculations (DNS reply_code) are not run:
 * the CIM lookup files are not part of the data model JSON; they are listed in `problems`.
 */
import { loadDataModels, loadDataModelsFrom, type DataModel, type Dataset } from '@dac/cim';
import { parsePipeline, type FieldValue, type SearchExpr } from '@dac/spl';
import type { SplunkEvent } from './engine.js';
import { compileEval, compileEvalExpr, memoizeEval, type CompiledEval } from './eval-compile.js';
import { compileSearchExpr, searchReads, type CompiledSearch } from './search-compile.js';

/** One row of a data set: unqualified CIM field names. */
export type CimRow = Record<string, FieldValue>;

type Calc = (row: CimRow) => void;

export interface DataSetInfo {
  /** `Endpoint.Processes`, `Authentication.Authentication.Failed_Authentication` (model + lineage). */
  path: string;
  model: string;
  lineage: string[];
  /** The constraint searches, root first. */
  constraints: string[];
  /** Unqualified field names of the data set (inherited, own, calculated). */
  fields: string[];
}

interface CompiledDataSet extends DataSetInfo {
  test: CompiledSearch;
  /** What `test` reads: the fields of the constraint searches (own and ancestors'). */
  testReads: Set<string>;
  reads: Set<string>;
  /** Fields the calculations (own, inherited, base-search evals) may write. */
  writes: Set<string>;
  calcs: Calc[];
  /** Endpoint.Ports: the field the base search mvexpands. */
  expand?: string;
}

export interface DataModelProvider {
  /** Every data set, by full path. */
  dataSets(): DataSetInfo[];
  /**
   * The data set a tstats target names: `Endpoint.Processes`, `Network_Traffic` (the model's
   * only root), `Authentication.Failed_Authentication` (a child by its unique name) or a full
   * lineage. Undefined when the model has no such data set or the target is ambiguous.
   */
  resolve(target: string): DataSetInfo | undefined;
  /** Whether the event belongs to the data set. */
  contains(event: SplunkEvent, target: string): boolean;
  /** The rows the event contributes to the data set (none when it is not a member). */
  rows(event: SplunkEvent, target: string): CimRow[];
  /**
   * The lineages (`Authentication.Failed_Authentication`, without the model) of every data set
   * of `model` the event belongs to — the values of tstats' `nodename`.
   */
  nodes(event: SplunkEvent, model: string): string[];
  /** Event fields the data set's constraint and calculations read (for projections). */
  reads(target: string): ReadonlySet<string> | undefined;
  /**
   * Event fields `contains` reads (the constraint searches only): events that agree on them
   * agree on membership. Undefined: unknown.
   */
  containsReads?(target: string): ReadonlySet<string> | undefined;
  /** Calculations or constraints that could not be compiled. */
  readonly problems: readonly string[];
}

const BUILTINS = ['_time', 'host', 'source', 'sourcetype', 'index'];

/** `(`cim_Endpoint_indexes`)` → nothing: the CIM index macros are `()` (any index). */
function stripIndexMacros(search: string): string {
  return search.replace(/\(\s*`cim_[A-Za-z_]+_indexes`\s*\)/g, '').replace(/`cim_[A-Za-z_]+_indexes`/g, '');
}

function parseConstraint(search: string): {
  expr?: SearchExpr;
  evals: { field: string; fn: CompiledEval }[];
  expand?: string;
  error?: string;
} {
  const text = stripIndexMacros(search).trim();
  if (text === '') return { evals: [] };
  const p = parsePipeline(text);
  const err = p.diagnostics.find((d) => d.severity === 'error');
  if (err) return { evals: [], error: err.message };
  const evals: { field: string; fn: CompiledEval }[] = [];
  let expr: SearchExpr | undefined;
  let expand: string | undefined;
  for (const c of p.pipeline.commands) {
    if (c.kind === 'search') expr = c.expr;
    else if (c.kind === 'command' && c.name === 'eval' && c.assignments)
      for (const a of c.assignments) {
        const e = compileEvalExpr(a.expr);
        evals.push({ field: a.field, fn: e.mode === 'compiled' ? memoizeEval(e.fn, e.reads) : e.fn });
      }
    else if (c.kind === 'command' && c.name === 'mvexpand') expand = c.text.trim();
    else return { evals, error: `unsupported base-search command ${c.kind === 'command' ? c.name : c.kind}` };
  }
  return { expr, evals, expand };
}

function assign(row: CimRow, field: string, v: unknown): void {
  if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) delete row[field];
  else if (Array.isArray(v)) row[field] = v.map(String);
  else if (typeof v === 'boolean') row[field] = v ? 'True' : 'False';
  else
    row[field] =
      typeof v === 'number' ? (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(15)))) : String(v);
}

/** PCRE named groups `(?<name>…)` are JavaScript's too; `(?P<name>…)` is rewritten. */
function rexRegex(expression: string): RegExp | undefined {
  try {
    return new RegExp(expression.replace(/\(\?P</g, '(?<'));
  } catch {
    return undefined;
  }
}

function compileCalcs(ds: Dataset, problems: string[]): { calcs: Calc[]; reads: string[]; writes: string[] } {
  const calcs: Calc[] = [];
  const reads: string[] = [];
  const writes: string[] = [];
  for (const c of ds.calculations) {
    const outs = c.outputFields;
    const where = `${ds.model}.${ds.name}`;
    if (c.type === 'Eval' && c.expression && outs.length === 1) {
      const r = compileEval(c.expression);
      if ('error' in r) {
        problems.push(`${where} ${outs[0]}: ${r.error}`);
        continue;
      }
      reads.push(...r.reads);
      writes.push(outs[0]);
      const field = outs[0];
      // Remembered by its inputs' values (memoizeEval): member events repeat them.
      const fn = r.mode === 'compiled' ? memoizeEval(r.fn, r.reads) : r.fn;
      calcs.push((row) => assign(row, field, fn(row)));
    } else if (c.type === 'Rex' && c.expression && c.inputField) {
      const re = rexRegex(c.expression);
      const input = c.inputField;
      if (!re) {
        problems.push(`${where} rex on ${input}: regex not supported`);
        continue;
      }
      reads.push(input);
      writes.push(...outs);
      calcs.push((row) => {
        const v = row[input];
        const text = Array.isArray(v) ? v[0] : v;
        if (text === undefined || text === null) return;
        const m = re.exec(String(text));
        if (!m?.groups) return;
        for (const o of outs) if (m.groups[o] !== undefined && m.groups[o] !== '') row[o] = m.groups[o];
      });
    } else if (c.type === 'Lookup') {
      problems.push(`${where}: lookup ${c.lookupName ?? ''} not run (${outs.join(', ')} absent)`);
    }
  }
  return { calcs, reads, writes };
}

/** Compiles the data sets of one CIM data model (parents before children, as @dac/cim lists them). */
function buildModel(model: DataModel, problems: string[]): CompiledDataSet[] {
  const out: CompiledDataSet[] = [];
  const built = new Map<Dataset, CompiledDataSet>();
  for (const d of model.datasets) {
    const p = d.parent ? built.get(d.parent) : undefined;
    if (d.parent && !p) continue;
    const own = [...d.constraints, ...(d.baseSearch ? [d.baseSearch] : [])];
    const parsed = own.map((s) => parseConstraint(s));
    for (const x of parsed) if (x.error) problems.push(`${model.name}.${d.name} constraint: ${x.error}`);
    const exprs = parsed.flatMap((x) => (x.expr ? [x.expr] : []));
    const ownTest = exprs.map(compileSearchExpr);
    const parentTest = p?.test;
    const test: CompiledSearch = (ev) => {
      if (parentTest && !parentTest(ev)) return false;
      for (const t of ownTest) if (!t(ev)) return false;
      return true;
    };
    const reads = new Set(p?.reads ?? []);
    const testReads = new Set(p?.testReads ?? []);
    for (const e of exprs)
      for (const r of searchReads(e)) {
        reads.add(r);
        testReads.add(r);
      }
    const baseEvals = parsed.flatMap((x) => x.evals);
    const { calcs, reads: calcReads, writes: calcWrites } = compileCalcs(d, problems);
    for (const r of calcReads) reads.add(r);
    const writes = new Set([...(p?.writes ?? []), ...baseEvals.map((e) => e.field), ...calcWrites]);
    // Inherited, own and calculated fields, without the built-ins every row carries anyway.
    const fields = d.fields.filter((f) => f.kind === 'extracted' || f.kind === 'calculated').map((f) => f.name);
    const ds: CompiledDataSet = {
      path: `${model.name}.${d.path.join('.')}`,
      model: model.name,
      lineage: d.path,
      constraints: [...(p?.constraints ?? []), ...own],
      fields,
      test,
      testReads,
      reads,
      writes,
      calcs: [
        ...(p?.calcs ?? []),
        ...baseEvals.map(
          ({ field, fn }): Calc =>
            (row) =>
              assign(row, field, fn(row)),
        ),
        ...calcs,
      ],
      expand: parsed.find((x) => x.expand)?.expand ?? p?.expand,
    };
    built.set(d, ds);
    out.push(ds);
  }
  return out;
}

/**
 * Data-set rows without property stores. V8 keeps an object built by a dozen-odd computed-key
 * stores (`row[f] = v`, and every `Object.create(null)` object from the start) in slow
 * dictionary mode, so each read by tstats' grouping, the where-clause and later commands is a
 * hash lookup. An object literal with the keys written out has one fixed fast shape; setting its
 * prototype to null afterwards keeps it fast and gives the same null-prototype row. Absent fields
 * stay absent: the literal holds only the present keys, so there is one literal per set of
 * present fields (member events of a data set repeat a few), made once and remembered.
 *
 * The rows are the plain path's exactly — the same own keys in the same order, the same values,
 * a null prototype — when each key occurs once (a repeated key's store order could differ), none
 * is `__proto__` (a literal key would set the prototype) and none is an array index (kept in
 * elements; exactness not worth arguing for names CIM does not have). Otherwise: the stores.
 */
interface RowMakers {
  /** Filled by the caller, every slot (undefined: absent), before each `make`. */
  readonly values: (FieldValue | undefined)[];
  /** The row of `values`, or undefined when too many presence patterns were seen (use the stores). */
  make(): CimRow | undefined;
}

/** Presence patterns remembered per data set (beyond: the plain stores, same rows). */
const MAX_ROW_PATTERNS = 256;

function rowMakers(keys: readonly string[]): RowMakers | undefined {
  if (new Set(keys).size !== keys.length) return undefined;
  if (keys.some((k) => k === '__proto__' || /^(?:0|[1-9]\d*)$/.test(k))) return undefined;
  const values = new Array<FieldValue | undefined>(keys.length).fill(undefined);
  /** Presence pattern (16 slots per char) → the literal of its present slots. */
  const byPattern = new Map<string, (v: readonly (FieldValue | undefined)[]) => CimRow>();
  const chunks = new Array<number>(Math.ceil(keys.length / 16)).fill(0);
  let last: string | undefined;
  let lastMake: ((v: readonly (FieldValue | undefined)[]) => CimRow) | undefined;
  return {
    values,
    make() {
      chunks.fill(0);
      for (let i = 0; i < values.length; i++) if (values[i] !== undefined) chunks[i >> 4] |= 1 << (i & 15);
      const pattern = String.fromCharCode(...chunks);
      let f = pattern === last ? lastMake : byPattern.get(pattern);
      if (!f) {
        if (byPattern.size >= MAX_ROW_PATTERNS) return undefined;
        const present: string[] = [];
        for (let i = 0; i < values.length; i++)
          if (values[i] !== undefined) present.push(`${JSON.stringify(keys[i])}: v[${i}]`);
        // Keys are embedded as JSON string literals: no key can break out of the generated code.
        f = new Function('v', `return {${present.join(', ')}};`) as (v: readonly (FieldValue | undefined)[]) => CimRow;
        byPattern.set(pattern, f);
      }
      last = pattern;
      lastMake = f;
      // Every slot is written again before the next `make`: no need to clear them.
      return Object.setPrototypeOf(f(values), null) as CimRow;
    },
  };
}

/** Compiles every data model @dac/cim reads from `dir` (default: the bundled CIM 4.20 models). */
export function createDataModelProvider(
  opts: {
    dir?: string;
    /** Tests: every data-set field goes through the calculations' work copy (the plain path of `rowOf`). */
    plainRows?: boolean;
  } = {},
): DataModelProvider {
  const problems: string[] = [];
  const sets: CompiledDataSet[] = [];
  const models = opts.dir ? loadDataModelsFrom(opts.dir) : loadDataModels();
  for (const name of models.names()) sets.push(...buildModel(models.model(name)!, problems));
  const byPath = new Map(sets.map((s) => [s.path, s]));
  const cache = new Map<string, CompiledDataSet | undefined>();
  const resolve = (target: string): CompiledDataSet | undefined => {
    if (cache.has(target)) return cache.get(target);
    let r = byPath.get(target);
    if (!r) {
      const [model, ...rest] = target.split('.');
      const inModel = sets.filter((s) => s.model === model);
      if (rest.length === 0) {
        const roots = inModel.filter((s) => s.lineage.length === 1);
        r = roots.length === 1 ? roots[0] : roots.find((s) => s.lineage[0] === model);
      } else {
        const want = rest.join('.');
        const hits = inModel.filter((s) => {
          const l = s.lineage.join('.');
          return l === want || l.endsWith(`.${want}`);
        });
        r = hits.find((s) => s.lineage.join('.') === want) ?? (hits.length === 1 ? hits[0] : undefined);
      }
    }
    cache.set(target, r);
    return r;
  };
  /**
   * Per data set: the fields the calculations work on (the built-ins, what they read, what they
   * write — a Rex output keeps its value when the regex does not match), and per data-set field
   * whether its row value comes from that work copy or, untouched by any calculation, straight
   * from the event (the same value: only the calculations change the copy).
   */
  const layouts = new Map<CompiledDataSet, { work: string[]; fromWork: boolean[] }>();
  const layoutOf = (ds: CompiledDataSet) => {
    let l = layouts.get(ds);
    if (!l) {
      const work = [...new Set([...BUILTINS, ...(opts.plainRows ? ds.fields : []), ...ds.reads, ...ds.writes])];
      const inWork = new Set(work);
      l = { work, fromWork: ds.fields.map((f) => inWork.has(f)) };
      layouts.set(ds, l);
    }
    return l;
  };
  /**
   * Per data set, how a row is built without stores (see RowMaker); undefined: the plain stores
   * (`plainRows`, or row keys a literal cannot reproduce exactly).
   */
  const makers = new Map<CompiledDataSet, RowMakers | undefined>();
  const makersOf = (ds: CompiledDataSet): RowMakers | undefined => {
    if (makers.has(ds)) return makers.get(ds);
    const m = opts.plainRows ? undefined : rowMakers([...BUILTINS, ...ds.fields]);
    makers.set(ds, m);
    return m;
  };
  const rowOf = (ds: CompiledDataSet, ev: SplunkEvent): CimRow[] => {
    const layout = layoutOf(ds);
    const work = Object.create(null) as CimRow;
    for (const k of layout.work) {
      const v = ev[k];
      if (v !== undefined) work[k] = v;
    }
    for (const c of ds.calcs) c(work);
    const m = makersOf(ds);
    const fields = ds.fields;
    const fromWork = layout.fromWork;
    let row: CimRow | undefined;
    if (m) {
      // The values the stores below would make, by slot (BUILTINS, then the fields).
      const vals = m.values;
      const nb = BUILTINS.length;
      for (let i = 0; i < nb; i++) vals[i] = work[BUILTINS[i]!];
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i]!;
        const v = fromWork[i] ? work[f] : ev[f];
        vals[nb + i] = v === null ? undefined : v;
      }
      row = m.make();
    }
    if (!row) {
      row = Object.create(null) as CimRow;
      for (const b of BUILTINS) if (work[b] !== undefined) row[b] = work[b];
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i];
        const v = fromWork[i] ? work[f] : ev[f];
        if (v !== undefined && v !== null) row[f] = v;
      }
    }
    if (!ds.expand) return [row];
    const mv = row[ds.expand];
    if (!Array.isArray(mv)) return [row];
    return mv.map((v) => ({ ...row, [ds.expand!]: v }));
  };
  return {
    problems,
    dataSets: () =>
      sets.map(({ path, model, lineage, constraints, fields }) => ({ path, model, lineage, constraints, fields })),
    resolve(target) {
      const d = resolve(target);
      return d && { path: d.path, model: d.model, lineage: d.lineage, constraints: d.constraints, fields: d.fields };
    },
    contains(ev, target) {
      const d = resolve(target);
      return d?.test(ev) === true;
    },
    rows(ev, target) {
      const d = resolve(target);
      if (!d?.test(ev)) return [];
      return rowOf(d, ev);
    },
    nodes(ev, model) {
      return sets.filter((s) => s.model === model && s.test(ev)).map((s) => s.lineage.join('.'));
    },
    reads(target) {
      return resolve(target)?.reads;
    },
    containsReads(target) {
      return resolve(target)?.testReads;
    },
  };
}

let defaultProvider: DataModelProvider | undefined;

/** The provider over the repository's CIM 4.20 data models (loaded once). */
export function defaultDataModels(): DataModelProvider {
  defaultProvider ??= createDataModelProvider();
  return defaultProvider;
}

/** The rows `event` contributes to `dataSet` (`Endpoint.Processes`), or undefined when none. */
export function dataSetRows(event: SplunkEvent, dataSet: string): CimRow[] {
  return defaultDataModels().rows(event, dataSet);
}
