/**
 * Hand-built SPL ASTs for this package's tests (the parser lives in @dac/spl; these builders
 * keep the matcher tests independent of it). Spans are synthetic but distinct per node.
 */
import type { CompareOp, Literal, SearchExpr, Span, TstatsCommand } from './ast.js';

let offset = 0;
function span(len = 5): Span {
  const s = { start: offset, end: offset + len };
  offset += len + 1;
  return s;
}

export function lit(value: string, quoted = false): Literal {
  return { value, quoted, span: span(value.length + (quoted ? 2 : 0)) };
}

export function cmp(field: string, op: CompareOp, value: string, quoted = false): SearchExpr {
  const fieldSpan = span(field.length);
  return {
    kind: 'compare',
    field,
    fieldSpan,
    op,
    value: lit(value, quoted),
    span: { start: fieldSpan.start, end: offset },
  };
}

export function inList(field: string, values: string[]): SearchExpr {
  const fieldSpan = span(field.length);
  return {
    kind: 'in',
    field,
    fieldSpan,
    values: values.map((v) => lit(v, true)),
    span: { start: fieldSpan.start, end: offset },
  };
}

export function and(...args: SearchExpr[]): SearchExpr {
  return { kind: 'and', args, span: span() };
}
export function or(...args: SearchExpr[]): SearchExpr {
  return { kind: 'or', args, span: span() };
}
export function not(arg: SearchExpr): SearchExpr {
  return { kind: 'not', arg, span: span() };
}
export function term(value: string): SearchExpr {
  return { kind: 'term', value: lit(value), span: span() };
}

export interface TstatsSpec {
  model?: string;
  dataset?: string[];
  where?: SearchExpr;
  by?: string[];
  aggregates?: { fn: string; field?: string; as?: string }[];
  options?: Record<string, string>;
  span?: string;
}

/** A tstats command; defaults are the ngrok detection's (splunk-semantics.md §2). */
export function tstats(spec: TstatsSpec = {}): TstatsCommand {
  const start = offset;
  const options: Record<string, Literal> = {};
  for (const [k, v] of Object.entries(
    spec.options ?? { summariesonly: 'false', allow_old_summaries: 'true', fillnull_value: 'null' },
  ))
    options[k] = lit(v);
  const cmd: TstatsCommand = {
    kind: 'tstats',
    options,
    aggregates: (
      spec.aggregates ?? [
        { fn: 'count' },
        { fn: 'min', field: '_time', as: 'firstTime' },
        { fn: 'max', field: '_time', as: 'lastTime' },
      ]
    ).map((a) => ({ ...a, span: span() })),
    datamodel: { model: spec.model ?? 'Endpoint', dataset: spec.dataset ?? ['Processes'], span: span() },
    by: (
      spec.by ?? [
        'Processes.dest',
        'Processes.user',
        'Processes.parent_process_name',
        'Processes.process_name',
        'Processes.original_file_name',
        'Processes.process',
        'Processes.process_id',
        'Processes.parent_process_id',
      ]
    ).map((field) => ({ field, span: span(field.length) })),
    spanOfCommand: { start, end: 0 },
  };
  if (spec.where) cmd.where = spec.where;
  if (spec.span !== undefined) cmd.span = lit(spec.span);
  cmd.spanOfCommand.end = offset;
  return cmd;
}

/** The ngrok detection's where-clause: `Processes.process_name=ngrok.exe Processes.process IN (…)`. */
export function ngrokWhere(): SearchExpr {
  return and(
    cmp('Processes.process_name', '=', 'ngrok.exe'),
    inList('Processes.process', ['*start*', '*--config*', '*http*', '*authtoken*', '*http*', '*tcp*']),
  );
}
