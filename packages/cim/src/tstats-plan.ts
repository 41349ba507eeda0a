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

/** What a plan diagnostic is about; its message is rendered from it (describePlanIssue). */
export type PlanIssue =
  /** `from` is another namespace (or missing): no data model to plan against. */
  | { code: 'not-a-datamodel'; from?: string }
  /** A model Splunk Enterprise Security ships: legitimate, but its fields cannot be checked. */
  | { code: 'non-cim-model'; model: string }
  | { code: 'unknown-model'; model: string; suggestion?: string }
  | { code: 'model-without-datasets'; model: string }
  | { code: 'unknown-dataset'; model: string; dataset: string; suggestion?: string }
  /**
   * `field` (as written, in the `role` clause) is not a field of `dataset` (`Model.Dataset`);
   * `suggestion` is a close field name, `prefixed` the field of that name with its dataset prefix.
   */
  | {
      code: 'unknown-field';
      field: string;
      dataset: string;
      role: WrittenField['role'];
      suggestion?: string;
      prefixed?: string;
    };

/** Offsets are in the EXPANDED search text (the same text the AST spans refer to). */
export type PlanDiagnostic = PlanIssue & {
  start: number;
  end: number;
  severity: 'error' | 'warning';
  rule: PlanRule | (string & {});
  message: string;
};

const PLAN_RULE_OF: Record<PlanIssue['code'], PlanRule> = {
  'not-a-datamodel': 'matcher-unsupported',
  'non-cim-model': 'datamodel-unknown',
  'unknown-model': 'datamodel-unknown',
  'model-without-datasets': 'datamodel-unknown',
  'unknown-dataset': 'datamodel-unknown',
  'unknown-field': 'datamodel-field',
};

const didYouMean = (s: string | undefined) => (s === undefined ? '' : `; did you mean ${s}?`);

/** The sentence for a plan issue. */
export function describePlanIssue(issue: PlanIssue): string {
  switch (issue.code) {
    case 'not-a-datamodel':
      return issue.from !== undefined
        ? `tstats from ${issue.from} is not a data model; only "from datamodel=Model.Dataset" compiles to a matcher`
        : 'tstats without "from datamodel=…" does not compile to a matcher';
    case 'non-cim-model':
      return `data model ${issue.model} is not part of Splunk_SA_CIM 4.20 (it ships with Splunk Enterprise Security); its fields cannot be checked`;
    case 'unknown-model':
      return `unknown data model ${issue.model}${didYouMean(issue.suggestion)}`;
    case 'model-without-datasets':
      return `data model ${issue.model} has no datasets`;
    case 'unknown-dataset':
      return `data model ${issue.model} has no dataset ${issue.dataset}${didYouMean(issue.suggestion)}`;
    case 'unknown-field': {
      const what = issue.role === 'by' ? 'BY field' : issue.role === 'aggregate' ? 'aggregated field' : 'field';
      const hint =
        issue.suggestion !== undefined
          ? didYouMean(issue.suggestion)
          : issue.prefixed !== undefined
            ? `; data-model fields are written with the dataset prefix: ${issue.prefixed}`
            : '';
      return `${what} ${issue.field} is not a field of data model ${issue.dataset}${hint}`;
    }
  }
}

function planDiagnostic(issue: PlanIssue, span: Span, severity: 'error' | 'warning' = 'error'): PlanDiagnostic {
  return {
    ...issue,
    start: span.start,
    end: span.end,
    severity,
    rule: PLAN_RULE_OF[issue.code],
    message: describePlanIssue(issue),
  };
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
    diagnostics.push(
      planDiagnostic(
        tstats.from ? { code: 'not-a-datamodel', from: tstats.from.value } : { code: 'not-a-datamodel' },
        at,
        'warning',
      ),
    );
    return { diagnostics };
  }
  const model = models.model(dm.model);
  if (!model) {
    if (NON_CIM_MODELS.has(dm.model)) {
      diagnostics.push(planDiagnostic({ code: 'non-cim-model', model: dm.model }, dm.span, 'warning'));
    } else {
      diagnostics.push(
        planDiagnostic(
          withSuggestion({ code: 'unknown-model', model: dm.model }, closestName(dm.model, models.names())),
          dm.span,
        ),
      );
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
      diagnostics.push(planDiagnostic({ code: 'model-without-datasets', model: dm.model }, dm.span));
      return { diagnostics };
    }
    return { dataset: root, diagnostics };
  }
  const dataset = models.dataset(dm.model, dm.dataset);
  if (!dataset) {
    const names = model.datasets.map((d) => d.path.join('.'));
    const written = dm.dataset.join('.');
    diagnostics.push(
      planDiagnostic(
        withSuggestion({ code: 'unknown-dataset', model: dm.model, dataset: written }, closestName(written, names)),
        dm.span,
      ),
    );
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
  const candidates = dataset.fields.filter((x) => x.kind !== 'nodename').map((x) => qualifiedFieldName(x));
  const issue: PlanIssue = {
    code: 'unknown-field',
    field: written,
    dataset: `${dataset.model}.${dataset.path.join('.')}`,
    role,
  };
  const suggestion = closestName(written, candidates);
  if (suggestion !== undefined) issue.suggestion = suggestion;
  else if (!written.includes('.') && !BUILTIN_NAMES.has(written)) {
    const own = dataset.fields.find((x) => x.name === written);
    if (own) issue.prefixed = qualifiedFieldName(own);
  }
  return planDiagnostic(issue, span);
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

function withSuggestion<T extends PlanIssue>(issue: T, suggestion: string | undefined): T {
  return suggestion === undefined ? issue : { ...issue, suggestion };
}
