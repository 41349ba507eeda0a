/**
 * `| tstats [prestats=<bool>] [summariesonly=<bool>] [allow_old_summaries=<bool>]
 * [fillnull_value=<string>] <fn>(…) [as name] … [from datamodel=<Model>[.<Dataset>]]
 * [where <search> [nodename=<Dataset.Child>]] [by <field>… [span=<span>]]` over the rows of a data
 * set that the caller's DataModelProvider supplies (normalised events). Facts
 * (splunk-semantics.md §1.10, Search Reference tstats):
 * - WHERE is the search language over the data set's fields (`Processes.process_name`); output
 *   columns keep the names as written (`Processes.dest`, `count`, `min(_time)` or the AS name);
 * - "tstats omits rows for events with one or more null by-field values" unless
 *   `fillnull_value` is given, which stands in for the null (ESCU's
 *   `security_content_summariesonly` sets it to `null`);
 * - `span` buckets `_time` in the by-clause; `nodename=` in WHERE selects a child data set;
 *   `from datamodel=Web` (no data set) is the model's root data set named by the fields;
 * - without `from`, tstats reads the events' indexed fields directly;
 * - `prestats=true` output is read as ordinary rows (the following stats would read them the
 *   same way), `summariesonly`/`allow_old_summaries`/`chunk_size`/`local` do not change results
 *   offline; `append=true` after other commands adds its rows at the end.
 * Like stats, it holds one accumulator set per group, never the events.
 */
import type { SearchExpr, TstatsCommand } from '@dac/spl';
import { type AggSpec, Grouping, type GroupingOptions, parseAggregate } from '../aggregate.js';
import { parseBool } from '../args.js';
import type { CommandModule } from '../command.js';
import { SUBSEARCH_MAXOUT } from '../command.js';
import type { Runtime, SubPlan } from '../engine.js';
import { compileSearch, type Predicate, subsearchesOf, subsearchExpr } from '../search-expr.js';
import { bucketStart, parseTimeSpan } from '../time-span.js';
import type { DataSet, Event, Row, Value } from '../types.js';
import { toNumber } from '../values.js';

/** Fields that every data set inherits unprefixed (splunk-semantics.md §1.10). */
export const BUILTIN_DATASET_FIELDS: ReadonlySet<string> = new Set([
  '_time',
  '_raw',
  'host',
  'source',
  'sourcetype',
  'index',
  'eventtype',
  'tag',
  'splunk_server',
  'linecount',
  'punct',
]);

/** Written field → row key by default: built-ins as written, else the part after the last `.`. */
export function defaultFieldKey(written: string): string {
  const w = written.trim();
  if (BUILTIN_DATASET_FIELDS.has(w)) return w;
  const dot = w.lastIndexOf('.');
  return dot >= 0 ? w.slice(dot + 1) : w;
}

/** Splits `nodename=X` terms off a top-level AND of the WHERE clause. */
function takeNodename(expr: SearchExpr | undefined): { expr: SearchExpr | undefined; nodename?: string } {
  if (!expr) return { expr };
  if (expr.kind === 'compare' && expr.field === 'nodename' && expr.op === '=')
    return { expr: undefined, nodename: expr.value.value };
  if (expr.kind === 'and') {
    let nodename: string | undefined;
    const rest = expr.args.filter((a) => {
      if (a.kind === 'compare' && a.field === 'nodename' && a.op === '=') {
        nodename = a.value.value;
        return false;
      }
      return true;
    });
    return { expr: rest.length === 0 ? undefined : { ...expr, args: rest }, nodename };
  }
  return { expr };
}

function prefixes(cmd: TstatsCommand, where: SearchExpr | undefined): string[] {
  const out: string[] = [];
  const add = (f: string) => {
    const d = f.indexOf('.');
    if (d > 0 && !BUILTIN_DATASET_FIELDS.has(f)) out.push(f.slice(0, d));
  };
  const walk = (e: SearchExpr, depth: number): void => {
    if (depth > 500) return;
    if (e.kind === 'and' || e.kind === 'or') e.args.forEach((a) => walk(a, depth + 1));
    else if (e.kind === 'not') walk(e.arg, depth + 1);
    else if (e.kind === 'compare' || e.kind === 'in') add(e.field);
  };
  if (where) walk(where, 0);
  for (const a of cmd.aggregates) if (a.field) add(a.field);
  for (const b of cmd.by) add(b.field);
  return out;
}

const NO_ROWS: readonly Row[] = Object.freeze([]);

/**
 * The rows the predicate keeps: `rows` itself when it keeps all of them (an event's data-set rows
 * are usually one row, and an accepted one is then kept without a copy), NO_ROWS for none.
 */
function matchingRows(rows: Iterable<Row>, match: Predicate): readonly Row[] {
  if (!Array.isArray(rows)) return matchingRows([...rows], match);
  const n = rows.length;
  let i = 0;
  while (i < n && match(rows[i]!)) i++;
  if (i === n) return n === 0 ? NO_ROWS : (rows as Row[]);
  // rows[i] fails: keep the ones before it and the later ones that match.
  let kept: Row[] | undefined;
  for (let j = i + 1; j < n; j++) if (match(rows[j]!)) (kept ??= rows.slice(0, i)).push(rows[j]!);
  return kept ?? (i === 0 ? NO_ROWS : rows.slice(0, i));
}

export const tstats: CommandModule<TstatsCommand> = {
  names: ['tstats'],
  generating: true,
  prepare(cmd, ctx) {
    const opt = (k: string) => cmd.options[k]?.value;
    const append = opt('append') !== undefined && parseBool(opt('append')!) === true;
    if (ctx.index > 0) {
      if (!append) return ctx.error(cmd.spanOfCommand, 'tstats must be the first command (or use append=true)');
      const sub = ctx.subsearch(
        {
          commands: [{ ...cmd, options: { ...cmd.options, append: { ...cmd.options.append!, value: 'false' } } }],
          span: cmd.spanOfCommand,
        },
        cmd.spanOfCommand,
        Number.MAX_SAFE_INTEGER,
      );
      if (!sub) return undefined;
      return {
        name: 'tstats',
        span: cmd.spanOfCommand,
        kind: 'streaming',
        subsearches: [sub],
        stage(next, rt) {
          return {
            push: (r) => next.push(r),
            end() {
              for (const r of rt.results(sub)) next.push({ ...r });
              next.end();
            },
          };
        },
      };
    }
    for (const k of Object.keys(cmd.options))
      if (
        ![
          'prestats',
          'summariesonly',
          'allow_old_summaries',
          'fillnull_value',
          'chunk_size',
          'local',
          'append',
          'include_reduced_buckets',
        ].includes(k)
      )
        return ctx.error(
          cmd.options[k]!.span,
          `not replayable: tstats option ${k}= is not implemented`,
          'not-replayable',
        );
    const aggs: AggSpec[] = [];
    for (const a of cmd.aggregates) {
      const word = a.field ? `${a.fn}(${a.field})` : a.fn;
      const p = parseAggregate({ value: word, quoted: false, span: a.span });
      if (!p.ok)
        return ctx.error(
          p.span,
          `tstats: ${p.message}`,
          p.message.includes('not implemented') ? 'not-replayable' : 'bad-arguments',
        );
      p.spec.name = a.as ?? (a.field ? `${a.fn}(${a.field})` : a.fn);
      aggs.push(p.spec);
    }
    if (aggs.length === 0) return ctx.error(cmd.spanOfCommand, 'tstats needs at least one statistical function');
    const { expr: where, nodename } = takeNodename(cmd.where);
    let dataset: DataSet | undefined;
    if (cmd.datamodel) {
      const provider = ctx.options.dataModels;
      if (!provider)
        return ctx.error(
          cmd.datamodel.span,
          `not replayable: tstats from datamodel=${cmd.datamodel.model}: no data models were given to the search engine`,
          'not-replayable',
        );
      let path = cmd.datamodel.dataset;
      if (nodename) {
        const parts = nodename.split('.');
        // nodename names the data set from the root (`Authentication.Failed_Authentication`) or, for
        // a model written with its root, the child alone.
        path = path.length > 0 && parts[0] !== path[0] ? [...path, ...parts] : parts;
      }
      const r = provider.dataset({ model: cmd.datamodel.model, path, fieldPrefixes: prefixes(cmd, where) });
      if ('error' in r) return ctx.error(cmd.datamodel.span, `not replayable: tstats: ${r.error}`, 'not-replayable');
      dataset = r;
    } else if (cmd.from) {
      return ctx.error(
        cmd.from.span,
        `not replayable: tstats from ${cmd.from.value} (only datamodel= or indexed fields)`,
        'not-replayable',
      );
    }
    const fieldKey = dataset?.fieldKey ?? (dataset ? defaultFieldKey : (f: string) => f);
    // The grouping reads each aggregate's field by its row key for every row: mapped here, once.
    const aggregateKeys = new Map(aggs.flatMap((a) => (a.field ? [[a.field, fieldKey(a.field)] as const] : [])));
    const aggregateKey = (written: string): string => aggregateKeys.get(written) ?? fieldKey(written);
    const byNames = cmd.by.map((b) => b.field);
    const byKeys = byNames.map(fieldKey);
    let transforms: (((v: Value) => Value | undefined) | undefined)[] | undefined;
    if (byKeys.includes('_time')) {
      // `by _time span=1h, x` (ESCU spike_in_file_writes): the comma separates by-fields.
      const spanText = cmd.span?.value.replace(/,+$/, '');
      const span = spanText ? parseTimeSpan(spanText) : undefined;
      if (spanText && !span) return ctx.error(cmd.span!.span, `tstats: span=${spanText} is not a time span`);
      if (span)
        transforms = byKeys.map((k) =>
          k === '_time'
            ? (v: Value) => {
                const n = toNumber(Array.isArray(v) ? v[0] : v);
                return n === undefined ? v : bucketStart(n, span);
              }
            : undefined,
        );
    }
    const subs = new Map<Extract<SearchExpr, { kind: 'subsearch' }>, SubPlan>();
    for (const s of subsearchesOf(where)) {
      const sub = ctx.subsearch(s.pipeline, s.span, SUBSEARCH_MAXOUT);
      if (!sub) return undefined;
      subs.set(s, sub);
    }
    const fillNull = opt('fillnull_value');
    // A compiled predicate (a generated matcher) may stand in for the interpreter: only for a
    // WHERE without nodename and subsearches, which it was generated from as written. Without
    // subsearches the predicate is the same for every run: compiled here, once.
    const hooked =
      subs.size === 0 && !nodename && cmd.where
        ? ctx.options.compiledPredicate?.({ command: 'tstats', expr: cmd.where, span: cmd.spanOfCommand, fieldKey })
        : undefined;
    const fixedMatch: Predicate | undefined =
      subs.size > 0 ? undefined : (hooked ?? compileSearch(where, { fieldKey }));
    const compileMatch = (rt: Runtime): Predicate =>
      fixedMatch ??
      compileSearch(where, {
        fieldKey,
        subsearch: (node) => {
          const r = subsearchExpr(rt.results(subs.get(node)!));
          if (r.problem) rt.warn('tstats', r.problem, node.span);
          return r.expr;
        },
      });
    const rowsOf = dataset?.rowsOf;
    const groupingOptions = (now: number | undefined): GroupingOptions => ({
      byNames,
      byKeys,
      fieldKey: aggregateKey,
      fillNull,
      transforms,
      // A data set's rows are the data model's, read by every tstats over that data set and
      // modified by none: their group keys may be shared (events without `from` are not: the
      // pipelines of other detections get them too).
      rowsUnchanged: dataset !== undefined,
      now,
    });
    // The last event `accepts` was asked about and its rows that match the where-clause (one per
    // plan: a caller asks, then pushes that event into one run). Safe to hand to that push: the
    // predicate has no subsearch (the same for every run) and the grouping reads rows, never
    // modifies them.
    let acceptedEvent: Row | Event | undefined;
    let acceptedRows: readonly Row[] = NO_ROWS;
    return {
      name: 'tstats',
      span: cmd.spanOfCommand,
      kind: 'generating',
      subsearches: [...subs.values()],
      async *generate(rt) {
        const match = compileMatch(rt);
        const g = new Grouping(aggs, groupingOptions(rt.now));
        const rows = dataset ? dataset.rows(rt.eventSource) : (rt.events() as Iterable<Row> | AsyncIterable<Row>);
        if (Symbol.asyncIterator in rows) {
          for await (const r of rows as AsyncIterable<Row>) if (match(r)) g.add(r);
        } else for (const r of rows as Iterable<Row>) if (match(r)) g.add(r);
        yield* g.rows();
      },
      // Push mode (openSearch): events arrive one at a time; each becomes its data-set rows
      // (`DataSet.rowsOf`), and the groups are pushed on at the end — the same rows as generate.
      consume:
        dataset && !rowsOf
          ? undefined
          : (next, rt) => {
              const match = compileMatch(rt);
              const g = new Grouping(aggs, groupingOptions(rt.now));
              return {
                push(ev) {
                  // The caller usually asked `accepts` about this very event just before: its
                  // matching rows are kept, so the where-clause is checked once per event.
                  if (ev === acceptedEvent) {
                    for (const r of acceptedRows) g.add(r);
                  } else if (rowsOf) {
                    for (const r of rowsOf(ev)) if (match(r)) g.add(r);
                  } else if (match(ev)) g.add(ev);
                },
                end() {
                  for (const r of g.rows()) next.push(r);
                  next.end();
                },
              };
            },
      // Push mode: an event none of whose data-set rows match the where-clause changes nothing.
      ...(fixedMatch && (!dataset || rowsOf)
        ? {
            accepts: rowsOf
              ? (ev: Row | Event) => {
                  acceptedEvent = ev;
                  acceptedRows = matchingRows(rowsOf(ev as Event), fixedMatch);
                  return acceptedRows.length > 0;
                }
              : (ev: Row | Event) => {
                  acceptedEvent = ev;
                  acceptedRows = fixedMatch(ev as Row) ? [ev as Row] : NO_ROWS;
                  return acceptedRows.length > 0;
                },
          }
        : {}),
      stage: (next) => next,
    };
  },
};
