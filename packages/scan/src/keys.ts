/**
 * The scan's index keys of a prepared detection: for each read of the events (a pass: the first
 * command, and the first command of every subsearch or join/append search over the events), the
 * necessary clauses an event must meet to matter to it. A clause is an OR of `field=pattern`
 * terms (`*` wildcards, case-insensitive as Splunk's `=`), read off the pass's search expression:
 *
 * - `f=v` and `f IN (…)` are clauses; a conjunction has the clauses of all its parts;
 * - a disjunction has one clause, the union of one clause of each branch (`(A EventCode=1102) OR
 *   (B EventCode=104)` needs `EventCode=1102 OR EventCode=104`); none when a branch has none;
 * - NOT, `!=`, `<`…, bare terms, subsearches and time modifiers (`earliest=-24h`, always true)
 *   give none (a missing field satisfies `NOT f=v`, so only positive terms are necessary).
 *
 * A base search's clauses are about the event's fields; a leading tstats' about its rows in its
 * data set (field names as tstats keys them: `Processes.process_name` → `process_name`). A
 * leading tstats also has exclusions (`necessaryExclusions`): its conjoined `f!=p`, `NOT f=p` and
 * `NOT f IN (…)`, each of which some row must meet (`Filesystem.file_name!=unknown` is not met by
 * a row without a file name).
 */
import type { DataModelProvider, DataSetInfo } from '@dac/normalise';
import type { PreparedDetection } from '@dac/replay';
import { BUILTIN_DATASET_FIELDS, defaultFieldKey, pushFilter, readsEventsOnce, type PipelinePlan } from '@dac/search';
import {
  isTimeModifier,
  parsePipeline,
  type Command,
  type Literal,
  type SearchExpr,
  type TstatsCommand,
} from '@dac/spl';
import type { IndexClause, IndexExclusion, IndexKeys, PassKeys } from './types.js';

/** Fields every data-set row carries besides the data set's own (@dac/normalise datamodels.ts BUILTINS). */
const ROW_BUILTINS = ['_time', 'host', 'source', 'sourcetype', 'index'];

/**
 * How much of the stream a clause lets through, roughly: a `*`-only term holds for every event
 * with the field, a pattern for more values than a constant. Used to pick the clause of an OR
 * branch.
 */
function breadth(clause: IndexClause): number {
  let n = 0;
  for (const t of clause) n += /^\*+$/.test(t.value) ? 100 : t.value.includes('*') ? 2 : 1;
  return n;
}

/** The necessary clauses of a search expression (see the module comment); `key` maps a written field. */
export function necessaryClauses(
  expr: SearchExpr | undefined,
  key: (written: string) => string = (f) => f,
  depth = 0,
): IndexClause[] {
  if (!expr || depth > 200) return [];
  switch (expr.kind) {
    case 'compare':
      if (expr.op !== '=' || isTimeModifier(expr.field)) return [];
      return [[{ field: key(expr.field), value: expr.value.value }]];
    case 'in':
      return expr.values.length === 0 ? [] : [expr.values.map((v) => ({ field: key(expr.field), value: v.value }))];
    case 'and':
      return expr.args.flatMap((a) => necessaryClauses(a, key, depth + 1));
    case 'or': {
      const union: IndexClause[number][] = [];
      for (const a of expr.args) {
        const cs = necessaryClauses(a, key, depth + 1);
        if (cs.length === 0) return [];
        union.push(...cs.reduce((best, c) => (breadth(c) < breadth(best) ? c : best)));
      }
      return union.length > 0 ? [union] : [];
    }
    default:
      return [];
  }
}

/**
 * A pattern a negation can be keyed on: the index matches it exactly as the engine does (lower-
 * cased whole, `*` wildcards). Not `CASE(…)` (matched case-insensitively by the index: broader,
 * which a negation would make narrower) nor one with Σ (lower-cased by context: matched against
 * any value).
 */
function negatable(l: Literal): boolean {
  return l.caseSensitive !== true && !/[σς]/.test(l.value.toLowerCase());
}

/**
 * The negative necessary conditions of a search expression (see IndexExclusion), read off its
 * conjunctions: `f!=p`, `NOT f=p`, `NOT f IN (…)`, and `NOT (A OR B)` as `NOT A` and `NOT B`.
 * Anything else (an OR of them, a NOT of a conjunction, a time modifier) gives none, which only
 * lets more events through.
 */
export function necessaryExclusions(
  expr: SearchExpr | undefined,
  key: (written: string) => string = (f) => f,
  depth = 0,
): IndexExclusion[] {
  if (!expr || depth > 200) return [];
  switch (expr.kind) {
    case 'and':
      return expr.args.flatMap((a) => necessaryExclusions(a, key, depth + 1));
    case 'compare':
      if (expr.op !== '!=' || isTimeModifier(expr.field) || !negatable(expr.value)) return [];
      return [{ field: key(expr.field), values: [expr.value.value], present: true }];
    case 'not': {
      const a = expr.arg;
      if (a.kind === 'or')
        return a.args.flatMap((b) => necessaryExclusions({ kind: 'not', arg: b, span: expr.span }, key, depth + 1));
      if (a.kind === 'compare' && a.op === '=' && !isTimeModifier(a.field) && negatable(a.value))
        return [{ field: key(a.field), values: [a.value.value], present: false }];
      if (a.kind === 'in' && a.values.length > 0 && a.values.every(negatable))
        return [{ field: key(a.field), values: a.values.map((v) => v.value), present: false }];
      return [];
    }
    default:
      return [];
  }
}

/** The first field prefix (`All_Changes` of `All_Changes.user`) in where, aggregate, by order; builtins excluded. */
function firstPrefix(cmd: TstatsCommand): string | undefined {
  const fields: string[] = [];
  const walk = (e: SearchExpr, depth: number): void => {
    if (depth > 500) return;
    if (e.kind === 'and' || e.kind === 'or') for (const a of e.args) walk(a, depth + 1);
    else if (e.kind === 'not') walk(e.arg, depth + 1);
    else if (e.kind === 'compare' || e.kind === 'in') fields.push(e.field);
  };
  if (cmd.where) walk(cmd.where, 0);
  for (const a of cmd.aggregates) if (a.field) fields.push(a.field);
  for (const b of cmd.by) fields.push(b.field);
  const f = fields.find((x) => x.indexOf('.') > 0 && !BUILTIN_DATASET_FIELDS.has(x));
  return f?.slice(0, f.indexOf('.'));
}

/**
 * The data set a tstats reads, as the engine resolves it (@dac/search tstats.ts with
 * @dac/replay's `searchDataModels`): the written path, else for a model alone
 * (`from datamodel=Change`) the model's data set named by the first field prefix, else the model.
 */
function dataSetOf(cmd: TstatsCommand, dm: DataModelProvider): DataSetInfo | undefined {
  const { model, dataset } = cmd.datamodel!;
  if (dataset.length > 0) return dm.resolve(`${model}.${dataset.join('.')}`);
  const prefix = firstPrefix(cmd);
  return (prefix ? dm.resolve(`${model}.${prefix}`) : undefined) ?? dm.resolve(model);
}

/** The pass keys of a first command that reads events (a base search or a leading tstats). */
function passKeysOf(cmd: Command, dm: DataModelProvider): PassKeys {
  if (cmd.kind === 'search') {
    const clauses = necessaryClauses(cmd.expr);
    return clauses.length > 0 ? { clauses } : {};
  }
  if (cmd.kind !== 'tstats' || cmd.from) return {};
  if (!cmd.datamodel) {
    // tstats over indexed fields: its where-clause is matched against the event itself.
    const clauses = necessaryClauses(cmd.where);
    return clauses.length > 0 ? { clauses } : {};
  }
  // `nodename=` (a child data set) is resolved by the engine in a way not repeated here: no key.
  if (JSON.stringify(cmd.where ?? null).includes('"field":"nodename"')) return {};
  const info = dataSetOf(cmd, dm);
  if (!info) return {};
  // A row has exactly the data set's fields and the built-ins (@dac/normalise datamodels.ts
  // `rowOf`), so a term on another field never holds on a row (`Processes.orig_process_name`, not
  // a Processes field): it is left out of its clause. A clause with no term left is dropped (only
  // lets more events through), as is an exclusion on another field (`NOT f IN` holds there).
  const own = new Set([...info.fields, ...ROW_BUILTINS]);
  const rowClauses = necessaryClauses(cmd.where, defaultFieldKey)
    .map((cl) => cl.filter((t) => own.has(t.field)))
    .filter((cl) => cl.length > 0);
  const rowExclusions = necessaryExclusions(cmd.where, defaultFieldKey).filter((x) => own.has(x.field));
  return {
    dataSets: [info.path],
    ...(rowClauses.length > 0 ? { rowClauses } : {}),
    ...(rowExclusions.length > 0 ? { rowExclusions } : {}),
  };
}

/** Every command of a parsed search and of its subsearches, by span (`start:end`). */
function commandsBySpan(root: unknown): Map<string, Command> {
  const out = new Map<string, Command>();
  // The AST is a tree of plain objects; subsearches sit in command arguments and in search and
  // eval expressions, so every object is walked rather than each node kind listed.
  const walk = (x: unknown, depth: number): void => {
    if (depth > 400 || x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      for (const y of x) walk(y, depth + 1);
      return;
    }
    const o = x as Record<string, unknown>;
    const span = o.spanOfCommand as { start: number; end: number } | undefined;
    if (span && typeof o.kind === 'string') out.set(`${span.start}:${span.end}`, o as unknown as Command);
    for (const v of Object.values(o)) walk(v, depth + 1);
  };
  walk(root, 0);
  return out;
}

/**
 * The first commands through which a plan reads events, given that `pushFilter` covers the plan
 * (every read of the events is through a first command with `accepts`, @dac/search push.ts
 * `eventReaders`): the first command of each pipeline that starts with one.
 */
function readingFirstCommands(p: PipelinePlan, out: { start: number; end: number }[], depth: number): void {
  if (depth > 100) return;
  const first = p.commands[0];
  if (first?.accepts && (p.source === 'events' || p.source === 'generator')) out.push(first.span);
  for (const c of p.commands) {
    for (const s of c.subsearches ?? []) readingFirstCommands(s.pipeline, out, depth + 1);
    for (const n of c.nested ?? []) readingFirstCommands(n, out, depth + 1);
  }
}

/**
 * The index keys of a prepared detection: one pass per read of the events. Unconstrained (`{}`)
 * when some read of the events is not through a first command the engine can filter on (a
 * subsearch inside an expression that reads the events, `tstats append=true`, `datamodel`).
 */
export function detectionKeys(
  p: Pick<PreparedDetection, 'search' | 'plan'> & Partial<Pick<PreparedDetection, 'pipeline'>>,
  dm: DataModelProvider,
): IndexKeys {
  const once = readsEventsOnce(p.plan);
  const firsts: { start: number; end: number }[] = [];
  if (pushFilter(p.plan)) readingFirstCommands(p.plan.pipeline, firsts, 0);
  else if (once && p.plan.pipeline.commands[0]) firsts.push(p.plan.pipeline.commands[0].span);
  if (firsts.length === 0) return {};
  // The pipeline the plan was prepared from (its spans are the plan's), else the search parsed again.
  const bySpan = commandsBySpan(p.pipeline ?? parsePipeline(p.search).pipeline);
  const passes: PassKeys[] = [];
  for (const s of firsts) {
    const cmd = bySpan.get(`${s.start}:${s.end}`);
    const keys = cmd ? passKeysOf(cmd, dm) : {};
    // A pass that may read any event makes the whole detection a candidate for every event.
    if (!keys.dataSets && !keys.clauses) return {};
    passes.push(keys);
  }
  return { passes };
}
