/**
 * The tstats plan: what a `tstats … from datamodel=X.Y` command reads, groups and aggregates,
 * resolved against the CIM data models, with every field it names checked. It is knowledge of SPL
 * and CIM, not of code generation, so the validator (datamodel-field, required-fields), the
 * matcher generator and the replay engine all use this one resolution and agree.
 */
import { closestName, type SearchExpr, type Span, type TstatsCommand } from '@dac/spl';
import { BUILTIN_FIELDS, qualifiedFieldName, type DataModels, type Dataset } from './datamodels.js';

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

/**
 * `datamodel-unknown`: no such model or dataset; `datamodel-field`: a field the dataset does not
 * have; `matcher-unsupported`: a tstats that is not over a data model (no plan, not an error).
 */
export type PlanRule = 'datamodel-unknown' | 'datamodel-field' | 'matcher-unsupported';

/** Offsets are in the EXPANDED search text (the same text the AST spans refer to). */
export interface PlanDiagnostic {
  start: number;
  end: number;
  severity: 'error' | 'warning';
  rule: PlanRule | (string & {});
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
  diagnostics: PlanDiagnostic[];
}

export function resolveTarget(tstats: TstatsCommand, models: DataModels): ResolvedTarget {
  const diagnostics: PlanDiagnostic[] = [];
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

export interface WrittenField {
  field: string;
  span: Span;
  role: 'where' | 'by' | 'aggregate';
}

/** Every field reference of a tstats command, in text order within each role. */
export function writtenFields(tstats: TstatsCommand): WrittenField[] {
  const out: WrittenField[] = [];
  const walk = (e: SearchExpr, depth: number): void => {
    if (depth > MAX_WHERE_DEPTH) return;
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
export const MAX_WHERE_DEPTH = 200;

/** Checks one written field against the dataset; undefined when it resolves. */
export function checkField(
  models: DataModels,
  dataset: Dataset,
  written: string,
  span: Span,
  role: WrittenField['role'],
): PlanDiagnostic | undefined {
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
): { plan?: TstatsPlan; diagnostics: PlanDiagnostic[] } {
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

/** `; did you mean X?` for the closest candidate (@dac/spl closestName policy), else ''. */
export function suggest(written: string, candidates: readonly string[]): string {
  const best = closestName(written, candidates);
  return best === undefined ? '' : `; did you mean ${best}?`;
}
