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
import { parsePipeline, type EvalExpr, type FieldValue, type SearchExpr } from '@dac/spl';
import type { SplunkEvent } from './engine.js';
import { compileEvalExpr, evalReads, memoizeEval, parseEvalText, type CompiledEval } from './eval-compile.js';
import { compileSearchExpr, searchReads, type CompiledSearch } from './search-compile.js';

/** One row of a data set: unqualified CIM field names. */
export type CimRow = Record<string, FieldValue>;

type Calc = (row: CimRow) => void;

/**
 * A calculation twice: `plain` over a work row whose absent fields are absent (it deletes a
 * field its result empties), `fast` over a work row that holds every field it may read or write
 * as a key, undefined when absent (it stores undefined instead of deleting: the row keeps one
 * fixed shape). Both see the same values — the compiled evals and memoizeEval read own
 * properties and take undefined as absent, a Rex reads its input by value — and compute the same
 * results.
 */
interface CalcStep {
  plain: Calc;
  fast: Calc;
  /** Run by the spl interpreter (not compiled): only the plain work row is known to suit it. */
  interpreted: boolean;
}

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
  calcs: CalcStep[];
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
  evals: CalcStep[];
  /** The fields `evals` write. */
  evalFields: string[];
  expand?: string;
  error?: string;
} {
  const text = stripIndexMacros(search).trim();
  if (text === '') return { evals: [], evalFields: [] };
  const p = parsePipeline(text);
  const err = p.diagnostics.find((d) => d.severity === 'error');
  if (err) return { evals: [], evalFields: [], error: err.message };
  const evals: CalcStep[] = [];
  const evalFields: string[] = [];
  let expr: SearchExpr | undefined;
  let expand: string | undefined;
  for (const c of p.pipeline.commands) {
    if (c.kind === 'search') expr = c.expr;
    else if (c.kind === 'command' && c.name === 'eval' && c.assignments)
      for (const a of c.assignments) {
        evals.push(evalStep(a.field, a.expr));
        evalFields.push(a.field);
      }
    else if (c.kind === 'command' && c.name === 'mvexpand') expand = c.text.trim();
    else
      return { evals, evalFields, error: `unsupported base-search command ${c.kind === 'command' ? c.name : c.kind}` };
  }
  return { expr, evals, evalFields, expand };
}

/** A calculation's result as a row value; undefined: the field is absent (null, none, an empty list). */
function rowValue(v: unknown): FieldValue | undefined {
  if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) return undefined;
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return typeof v === 'number' ? (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(15)))) : String(v);
}

function assign(row: CimRow, field: string, v: unknown): void {
  const r = rowValue(v);
  if (r === undefined) delete row[field];
  else row[field] = r;
}

/** Calls evaluated as cheaply as a memo check (tests, choices, no string work beyond `.`). */
const CHEAP_CALLS = new Set(['if', 'case', 'isnull', 'isnotnull', 'isnum', 'isstr', 'null', 'true', 'false']);

/**
 * Whether an expression costs no more than memoizeEval's check of it. Most CIM calculations are
 * `if(isnull(x) OR x="","unknown",x)` over a field that differs per event (file_path, process_id):
 * their memo builds and hashes a key of the value and misses, which costs several times the
 * evaluation. Those run directly; the rest (replace, lower, …) stay remembered by their inputs.
 */
function cheapExpr(e: EvalExpr): boolean {
  switch (e.kind) {
    case 'string':
    case 'number':
    case 'field':
      return true;
    case 'unary':
      return cheapExpr(e.arg);
    case 'binary':
      return cheapExpr(e.left) && cheapExpr(e.right);
    case 'in':
      return cheapExpr(e.arg) && e.values.every(cheapExpr);
    case 'call':
      return CHEAP_CALLS.has(e.fn) && e.args.every(cheapExpr);
    default:
      return false;
  }
}

const isField = (e: EvalExpr, f: string) => e.kind === 'field' && e.name === f;
const isCall = (e: EvalExpr, fn: string, f: string) =>
  e.kind === 'call' && e.fn === fn && e.args.length === 1 && isField(e.args[0]!, f);
const isCompare = (e: EvalExpr, op: '=' | '!=', f: string) =>
  e.kind === 'binary' && e.op === op && isField(e.left, f) && e.right.kind === 'string' && e.right.value === '';
/** `isnull(f) OR f=""` (either order): false when f is a non-empty string. */
const emptyTest = (e: EvalExpr, f: string) =>
  e.kind === 'binary' &&
  e.op === 'OR' &&
  ((isCall(e.left, 'isnull', f) && isCompare(e.right, '=', f)) ||
    (isCompare(e.left, '=', f) && isCall(e.right, 'isnull', f)));
/** `isnotnull(f) AND f!=""` or `isnotnull(f)`: true when f is a non-empty string. */
const presentTest = (e: EvalExpr, f: string) =>
  isCall(e, 'isnotnull', f) ||
  (e.kind === 'binary' && e.op === 'AND' && isCall(e.left, 'isnotnull', f) && isCompare(e.right, '!=', f));

/**
 * The field whose value the expression is whenever that value is a non-empty string, for the
 * CIM's defaulting shapes: `if(isnull(f) OR f="", default, f)`, `if(isnotnull(f) AND f!="", f, …)`
 * and `case(isnotnull(f) [AND f!=""], f, …)` — the first test decides, the rest is not evaluated.
 * Those are most CIM calculations, and on a member event the field is nearly always there: the
 * result is the value itself (rowValue of a string is the string), no evaluation needed.
 */
export function passthroughField(e: EvalExpr): string | undefined {
  if (e.kind !== 'call') return undefined;
  const [c, a, b] = e.args;
  if (e.fn === 'if' && e.args.length === 3) {
    if (b?.kind === 'field' && emptyTest(c!, b.name)) return b.name;
    if (a?.kind === 'field' && presentTest(c!, a.name)) return a.name;
  }
  if (e.fn === 'case' && e.args.length >= 2 && a?.kind === 'field' && presentTest(c!, a.name)) return a.name;
  return undefined;
}

/** An eval calculation `field=expr` (plain: always remembered by its inputs, as before; fast: when not cheap). */
function evalStep(field: string, expr: EvalExpr): CalcStep {
  const e = compileEvalExpr(expr);
  if (e.mode !== 'compiled')
    return {
      plain: (row) => assign(row, field, e.fn(row)),
      fast: (row) => assign(row, field, e.fn(row)),
      interpreted: true,
    };
  const memo = memoizeEval(e.fn, e.reads);
  const fastFn: CompiledEval = cheapExpr(expr) ? e.fn : memoizeEval(e.fn, e.reads);
  const pass = passthroughField(expr);
  return {
    plain: (row) => assign(row, field, memo(row)),
    fast:
      pass === undefined
        ? (row) => {
            row[field] = rowValue(fastFn(row)) as FieldValue;
          }
        : (row) => {
            const v = row[pass];
            row[field] = typeof v === 'string' && v !== '' ? v : (rowValue(fastFn(row)) as FieldValue);
          },
    interpreted: false,
  };
}

/** PCRE named groups `(?<name>…)` are JavaScript's too; `(?P<name>…)` is rewritten. */
function rexRegex(expression: string): RegExp | undefined {
  try {
    return new RegExp(expression.replace(/\(\?P</g, '(?<'));
  } catch {
    return undefined;
  }
}

function compileCalcs(ds: Dataset, problems: string[]): { calcs: CalcStep[]; reads: string[]; writes: string[] } {
  const calcs: CalcStep[] = [];
  const reads: string[] = [];
  const writes: string[] = [];
  for (const c of ds.calculations) {
    const outs = c.outputFields;
    const where = `${ds.model}.${ds.name}`;
    if (c.type === 'Eval' && c.expression && outs.length === 1) {
      const parsed = parseEvalText(c.expression);
      if ('error' in parsed) {
        problems.push(`${where} ${outs[0]}: ${parsed.error}`);
        continue;
      }
      reads.push(...evalReads(parsed.expr));
      writes.push(outs[0]);
      // Remembered by its inputs' values (memoizeEval): member events repeat them.
      calcs.push(evalStep(outs[0], parsed.expr));
    } else if (c.type === 'Rex' && c.expression && c.inputField) {
      const re = rexRegex(c.expression);
      const input = c.inputField;
      if (!re) {
        problems.push(`${where} rex on ${input}: regex not supported`);
        continue;
      }
      reads.push(input);
      writes.push(...outs);
      // Stores only: the same on both work rows.
      const rex: Calc = (row) => {
        const v = row[input];
        const text = Array.isArray(v) ? v[0] : v;
        if (text === undefined || text === null) return;
        const m = re.exec(String(text));
        if (!m?.groups) return;
        for (const o of outs) if (m.groups[o] !== undefined && m.groups[o] !== '') row[o] = m.groups[o];
      };
      calcs.push({ plain: rex, fast: rex, interpreted: false });
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
    const writes = new Set([...(p?.writes ?? []), ...parsed.flatMap((x) => x.evalFields), ...calcWrites]);
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
      calcs: [...(p?.calcs ?? []), ...baseEvals, ...calcs],
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
 * The plan of a data set is generated once (no per-row lookups of what to copy from where):
 * `work` copies the fields the calculations read and write into a literal holding every one of
 * them (undefined: absent), so the calculations read and store on one fast shape; `fill` reads
 * each row slot (BUILTINS, then the data-set fields) once — from the work row when a calculation
 * may have changed it, else straight from the event — and returns the presence pattern (30 slots
 * per number) that picks the row's literal.
 *
 * The rows are the plain path's exactly — the same own keys in the same order, the same values,
 * a null prototype — when each key occurs once (a repeated key's store order could differ), none
 * is `__proto__` (a literal key would set the prototype) and none is an array index (kept in
 * elements; exactness not worth arguing for names CIM does not have). Otherwise: the stores.
 */
interface RowPlan {
  work(ev: SplunkEvent): CimRow;
  /** Fills every slot of `v` (undefined: absent) and returns the presence pattern. */
  fill(ev: SplunkEvent, work: CimRow, v: (FieldValue | undefined)[]): number | string;
  /** The row of `v`, or undefined when too many presence patterns were seen (use the stores). */
  make(pattern: number | string): CimRow | undefined;
  /** The slots, filled by `fill` before each `make`. */
  readonly values: (FieldValue | undefined)[];
}

/** Presence patterns remembered per data set (beyond: the plain stores, same rows). */
const MAX_ROW_PATTERNS = 256;

const literalKeyOk = (k: string) => k !== '__proto__' && !/^(?:0|[1-9]\d*)$/.test(k);

/**
 * `keys`: the row's slots; `fromWork[i]`: slot i is read from the work row (else the event);
 * `nullable`: slots before it keep a null (the built-ins, as the stores do), the rest take null
 * as absent.
 */
function rowPlan(
  workKeys: readonly string[],
  keys: readonly string[],
  fromWork: readonly boolean[],
  nullable: number,
): RowPlan | undefined {
  if (new Set(keys).size !== keys.length || !keys.every(literalKeyOk) || !workKeys.every(literalKeyOk))
    return undefined;
  // Keys are embedded as JSON string literals: no key can break out of the generated code.
  const q = JSON.stringify;
  const work = new Function('ev', `return {${workKeys.map((k) => `${q(k)}: ev[${q(k)}]`).join(', ')}};`) as (
    ev: SplunkEvent,
  ) => CimRow;
  const chunks = Math.max(1, Math.ceil(keys.length / 30));
  const body: string[] = [
    `let x;`,
    `let p0 = 0${Array.from({ length: chunks - 1 }, (_, j) => `, p${j + 1} = 0`).join('')};`,
  ];
  keys.forEach((k, i) => {
    body.push(`x = ${fromWork[i] ? 'w' : 'ev'}[${q(k)}];`);
    if (i >= nullable) body.push('if (x === null) x = undefined;');
    body.push(`v[${i}] = x; if (x !== undefined) p${Math.floor(i / 30)} |= ${1 << (i % 30)};`);
  });
  body.push(
    chunks === 1 ? 'return p0;' : `return ${Array.from({ length: chunks }, (_, j) => `p${j}`).join(" + ',' + ")};`,
  );
  const fill = new Function('ev', 'w', 'v', body.join('\n')) as RowPlan['fill'];
  const values = new Array<FieldValue | undefined>(keys.length).fill(undefined);
  const byPattern = new Map<number | string, (v: readonly (FieldValue | undefined)[]) => CimRow>();
  let last: number | string | undefined;
  let lastMake: ((v: readonly (FieldValue | undefined)[]) => CimRow) | undefined;
  return {
    // An ordinary prototype is harmless here: the literal holds every field the calculations
    // read or write as an own key, so no lookup reaches the prototype.
    work,
    fill,
    values,
    make(pattern) {
      let f = pattern === last ? lastMake : byPattern.get(pattern);
      if (!f) {
        if (byPattern.size >= MAX_ROW_PATTERNS) return undefined;
        const present: string[] = [];
        for (let i = 0; i < values.length; i++) if (values[i] !== undefined) present.push(`${q(keys[i])}: v[${i}]`);
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
   * Per data set, the generated plan of its rows (see RowPlan); undefined: the plain stores
   * (`plainRows`, a calculation run by the interpreter, or keys a literal cannot reproduce exactly).
   */
  const plans = new Map<CompiledDataSet, RowPlan | undefined>();
  const planOf = (ds: CompiledDataSet): RowPlan | undefined => {
    if (plans.has(ds)) return plans.get(ds);
    const layout = layoutOf(ds);
    const m =
      opts.plainRows || ds.calcs.some((c) => c.interpreted)
        ? undefined
        : rowPlan(
            layout.work,
            [...BUILTINS, ...ds.fields],
            [...BUILTINS.map(() => true), ...layout.fromWork],
            BUILTINS.length,
          );
    plans.set(ds, m);
    return m;
  };
  const plainRow = (ds: CompiledDataSet, ev: SplunkEvent): CimRow => {
    const layout = layoutOf(ds);
    const work = Object.create(null) as CimRow;
    for (const k of layout.work) {
      const v = ev[k];
      if (v !== undefined) work[k] = v;
    }
    for (const c of ds.calcs) c.plain(work);
    const fields = ds.fields;
    const fromWork = layout.fromWork;
    const row = Object.create(null) as CimRow;
    for (const b of BUILTINS) if (work[b] !== undefined) row[b] = work[b];
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      const v = fromWork[i] ? work[f] : ev[f];
      if (v !== undefined && v !== null) row[f] = v;
    }
    return row;
  };
  const rowOf = (ds: CompiledDataSet, ev: SplunkEvent): CimRow[] => {
    const plan = planOf(ds);
    let row: CimRow | undefined;
    if (plan) {
      const work = plan.work(ev);
      for (const c of ds.calcs) c.fast(work);
      row = plan.make(plan.fill(ev, work, plan.values));
      if (!row) {
        // Past MAX_ROW_PATTERNS: the stores, from the same slots.
        row = Object.create(null) as CimRow;
        const keys = [...BUILTINS, ...ds.fields];
        const vals = plan.values;
        for (let i = 0; i < keys.length; i++) if (vals[i] !== undefined) row[keys[i]!] = vals[i]!;
      }
    } else row = plainRow(ds, ev);
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
