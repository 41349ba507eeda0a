import { BUILTIN_FIELDS, qualifiedFieldName, type DataModelField, type DataModels, type Dataset } from '@dac/cim';
import type { SearchExpr, Span, TstatsCommand } from './ast.js';

/** A CIM event as the replay engine hands it to a matcher: UNQUALIFIED CIM field names. */
export type CimEvent = Record<string, string | number | string[] | null | undefined>;

export interface TstatsPlan {
  model: string;
  /** Dataset lineage, e.g. `['Processes']`, `['Authentication', 'Failed_Authentication']`. */
  dataset: string[];
  /** BY fields as written, e.g. `Processes.dest`, `_time`. */
  by: string[];
  aggregates: { fn: string; field?: string; as?: string }[];
  /** `summariesonly`, `allow_old_summaries`, `fillnull_value` (macro-expanded), `prestats`, … */
  options: Record<string, string>;
  span?: string;
  /** Written field (`Processes.process_name`) → CimEvent key (`process_name`). */
  eventKey(written: string): string;
}

export type MatcherRule = 'datamodel-unknown' | 'datamodel-field' | 'matcher-unsupported' | 'matcher-typecheck';

/** Offsets are in the EXPANDED search text (the same text the AST spans refer to). */
export interface MatcherDiagnostic {
  start: number;
  end: number;
  severity: 'error' | 'warning';
  rule: MatcherRule | (string & {});
  message: string;
}

/**
 * Data models that Splunk Enterprise Security (or other apps) ship, not Splunk_SA_CIM: a search
 * over them is legitimate, but its fields cannot be checked against CIM 4.20, so it is a warning.
 */
export const NON_CIM_MODELS: ReadonlySet<string> = new Set([
  'Risk',
  'UEBA',
  'Identity_Management',
  'Assets_And_Identities',
  'Threat_Intelligence',
  'Incident_Management',
  'Domain_Analysis',
  'Audit',
  'Endpoint_Detection_And_Response',
]);

const BUILTIN_NAMES = new Set(BUILTIN_FIELDS.map((f) => f.name));

/** Written field → CimEvent key: the built-ins stay, `A.B.field` → `field`. */
export function eventKeyOf(written: string): string {
  const w = written.trim();
  if (BUILTIN_NAMES.has(w)) return w;
  const dot = w.lastIndexOf('.');
  return dot >= 0 ? w.slice(dot + 1) : w;
}

/** The dataset a tstats command selects, with the resolution diagnostics. */
export interface ResolvedTarget {
  dataset?: Dataset;
  diagnostics: MatcherDiagnostic[];
}

export function resolveTarget(tstats: TstatsCommand, models: DataModels): ResolvedTarget {
  const diagnostics: MatcherDiagnostic[] = [];
  const dm = tstats.datamodel;
  if (!dm) {
    const at = tstats.from?.span ?? tstats.spanOfCommand;
    diagnostics.push({
      ...at,
      severity: 'warning',
      rule: 'matcher-unsupported',
      message: tstats.from
        ? `tstats from ${tstats.from.value} is not a data model; only "from datamodel=Model.Dataset" compiles to a matcher`
        : 'tstats without "from datamodel=…" does not compile to a matcher',
    });
    return { diagnostics };
  }
  const model = models.model(dm.model);
  if (!model) {
    if (NON_CIM_MODELS.has(dm.model)) {
      diagnostics.push({
        ...dm.span,
        severity: 'warning',
        rule: 'datamodel-unknown',
        message: `data model ${dm.model} is not part of Splunk_SA_CIM 4.20 (it ships with Splunk Enterprise Security); its fields cannot be checked`,
      });
    } else {
      diagnostics.push({
        ...dm.span,
        severity: 'error',
        rule: 'datamodel-unknown',
        message: `unknown data model ${dm.model}${suggest(dm.model, models.names())}`,
      });
    }
    return { diagnostics };
  }
  if (dm.dataset.length === 0) {
    // `from datamodel=Web`: the root named by the fields' prefix; the first written prefix wins.
    const prefixes = writtenFields(tstats)
      .map((f) => f.field.split('.')[0]!)
      .filter((p) => model.roots.some((r) => r.name === p));
    const root =
      model.roots.find((r) => r.name === prefixes[0]) ??
      (model.roots.length === 1 ? model.roots[0] : undefined) ??
      model.roots[0];
    if (!root) {
      diagnostics.push({
        ...dm.span,
        severity: 'error',
        rule: 'datamodel-unknown',
        message: `data model ${dm.model} has no datasets`,
      });
      return { diagnostics };
    }
    return { dataset: root, diagnostics };
  }
  const dataset = models.dataset(dm.model, dm.dataset);
  if (!dataset) {
    const names = model.datasets.map((d) => d.path.join('.'));
    diagnostics.push({
      ...dm.span,
      severity: 'error',
      rule: 'datamodel-unknown',
      message: `data model ${dm.model} has no dataset ${dm.dataset.join('.')}${suggest(dm.dataset.join('.'), names)}`,
    });
    return { diagnostics };
  }
  return { dataset, diagnostics };
}

interface WrittenField {
  field: string;
  span: Span;
  role: 'where' | 'by' | 'aggregate';
}

/** Every field reference of a tstats command, in text order within each role. */
export function writtenFields(tstats: TstatsCommand): WrittenField[] {
  const out: WrittenField[] = [];
  const walk = (e: SearchExpr, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    switch (e.kind) {
      case 'and':
      case 'or':
        for (const a of e.args) walk(a, depth + 1);
        break;
      case 'not':
        walk(e.arg, depth + 1);
        break;
      case 'compare':
      case 'in':
        out.push({ field: e.field, span: e.fieldSpan, role: 'where' });
        break;
      case 'term':
      case 'subsearch':
        break;
    }
  };
  if (tstats.where) walk(tstats.where, 0);
  for (const b of tstats.by) out.push({ field: b.field, span: b.span, role: 'by' });
  for (const a of tstats.aggregates)
    if (a.field !== undefined) out.push({ field: a.field, span: a.span, role: 'aggregate' });
  return out;
}

/** Deepest where-clause nesting the generator accepts (real ESCU clauses are < 10 deep). */
export const MAX_DEPTH = 200;

/** Checks one written field against the dataset; undefined when it resolves. */
export function checkField(
  models: DataModels,
  dataset: Dataset,
  written: string,
  span: Span,
  role: WrittenField['role'],
): MatcherDiagnostic | undefined {
  const f = models.resolveField(dataset, written);
  if (f && !(f.kind === 'nodename' && role !== 'where')) return undefined;
  const where = `${dataset.model}.${dataset.path.join('.')}`;
  const candidates = dataset.fields.filter((x) => x.kind !== 'nodename').map((x) => qualifiedFieldName(x));
  let hint = suggest(written, candidates);
  if (!hint && !written.includes('.') && !BUILTIN_NAMES.has(written)) {
    const own = dataset.fields.find((x) => x.name === written);
    if (own) hint = `; data-model fields are written with the dataset prefix: ${qualifiedFieldName(own)}`;
  }
  const what = role === 'by' ? 'BY field' : role === 'aggregate' ? 'aggregated field' : 'field';
  return {
    ...span,
    severity: 'error',
    rule: 'datamodel-field',
    message: `${what} ${written} is not a field of data model ${where}${hint}`,
  };
}

/** Plans a tstats command: where it reads from, what it groups and aggregates, and field checks. */
export function planTstats(
  tstats: TstatsCommand,
  models: DataModels,
): { plan?: TstatsPlan; diagnostics: MatcherDiagnostic[] } {
  const { dataset, diagnostics } = resolveTarget(tstats, models);
  if (!dataset) return { diagnostics };
  for (const w of writtenFields(tstats)) {
    const d = checkField(models, dataset, w.field, w.span, w.role);
    if (d) diagnostics.push(d);
  }
  const options: Record<string, string> = {};
  for (const k of Object.keys(tstats.options).sort()) options[k] = tstats.options[k]!.value;
  const plan: TstatsPlan = {
    model: dataset.model,
    dataset: [...dataset.path],
    by: tstats.by.map((b) => b.field),
    aggregates: tstats.aggregates.map((a) => {
      const agg: { fn: string; field?: string; as?: string } = { fn: a.fn };
      if (a.field !== undefined) agg.field = a.field;
      if (a.as !== undefined) agg.as = a.as;
      return agg;
    }),
    options,
    eventKey: eventKeyOf,
  };
  if (tstats.span) plan.span = tstats.span.value;
  return { plan, diagnostics };
}

/** `; did you mean X?` for the closest candidate within a small edit distance, else ''. */
export function suggest(written: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  const limit = Math.max(2, Math.floor(written.length / 4));
  for (const c of candidates) {
    if (Math.abs(c.length - written.length) > limit) continue;
    const d = editDistance(written.toLowerCase(), c.toLowerCase(), limit);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= limit ? `; did you mean ${best}?` : '';
}

/** Levenshtein distance, giving up (returning limit+1) once it exceeds `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

export type { DataModelField };
