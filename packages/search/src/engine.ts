/**
 * The pipeline executor. A prepared pipeline is a list of command plans; running it chains one
 * push-based stage per command (`Sink.push(row)` … `Sink.end()`): a streaming command handles a
 * row and pushes its output on at once, a blocking one (stats, sort, eventstats, …) keeps what
 * Splunk would keep and pushes at `end()`. Rows pushed downstream belong to the receiver (it may
 * modify them); a stage that pushes one row twice copies it.
 *
 * Push-based stages (one synchronous call per row per stage) rather than chained async
 * iterators (one promise per row per stage): bench/search.bench.ts measures both.
 *
 * Subsearches run first, as in Splunk: before a pipeline starts, every subsearch it contains is
 * run to completion (depth first) and its results are kept for the command that uses them.
 */
import type { Span } from '@dac/spl';
import type { DataModelProvider, Event, EventSource, LookupProvider, Row, RunWarning } from './types.js';
import { copyRow } from './values.js';

export interface Sink {
  push(row: Row): void;
  end(): void;
}

/** What a running stage can use. */
export interface Runtime {
  /** Epoch seconds of the search (`now()`, `makeresults`, `addinfo`). */
  readonly now: number;
  /** Time range of the search (`addinfo` info_min_time/info_max_time). */
  readonly timeRange: { earliest?: number; latest?: number };
  readonly lookups?: LookupProvider;
  readonly dataModels?: DataModelProvider;
  /** A fresh pass over the search's events. */
  events(): Iterable<Event> | AsyncIterable<Event>;
  /** The source handed to data-model providers. */
  readonly eventSource: EventSource;
  /** Results of a subsearch (run before the pipeline started). */
  results(sub: SubPlan): readonly Row[];
  warn(command: string, message: string, span: Span): void;
  /**
   * Event-reading pipelines whose leading commands already ran as the events arrived
   * (passes.ts): `drive` starts them from there, with the rows those commands gave.
   */
  readonly streamed?: ReadonlyMap<PipelinePlan, StreamedPass>;
}

/** What the leading commands of a pass over the events gave (`Runtime.streamed`). */
export interface StreamedPass {
  /** How many of the pipeline's commands ran. */
  readonly ran: number;
  /** The rows the last of them pushed on. */
  readonly rows: readonly Row[];
}

export type CommandKind = 'streaming' | 'blocking' | 'generating';

export interface CommandPlan {
  readonly name: string;
  readonly span: Span;
  readonly kind: CommandKind;
  /** Subsearches whose results the command needs (run before its pipeline). */
  readonly subsearches?: readonly SubPlan[];
  /** Nested pipelines over rows (appendpipe, foreach bodies) whose own subsearches must run first. */
  readonly nested?: readonly PipelinePlan[];
  /**
   * How the stage treats the rows it receives: 'readonly' passes them on unchanged (or drops
   * them), 'fresh' outputs only new rows and never changes its input. Unset: it may modify them.
   * Lets the base search skip copying events nobody modifies.
   */
  readonly rows?: 'readonly' | 'fresh';
  /** The base search: whether it must copy the events it keeps (set by the preparer). */
  copyEvents?: boolean;
  /** A generating command: the rows it produces when it starts a pipeline. */
  generate?(rt: Runtime): Iterable<Row> | AsyncIterable<Row>;
  /**
   * A generating command that reads the search's events (tstats): the same rows as `generate`,
   * with the events pushed in one at a time instead of read from `rt.events()` (push mode,
   * ./push.ts). Absent when the command cannot take pushed events.
   */
  consume?(next: Sink, rt: Runtime): Sink;
  /**
   * A pipeline's first command (base search, leading tstats) that drops every row (event) for
   * which this is false with no effect at all and handles the others: a caller pushing events
   * may skip those, and need not open a run for a log none of whose events it accepts (the run
   * over nothing gives the same rows). Absent: unknown (e.g. a subsearch in the expression).
   */
  readonly accepts?: (row: Row | Event) => boolean;
  /**
   * The stage never calls `rt.warn` and does nothing but push rows on (no nested pipeline): a
   * run may leave it out when no row it pushes can reach the output (`givesNoRows`). Unset:
   * unknown, never left out.
   */
  readonly quiet?: boolean;
  /**
   * True when, in this run (the subsearches' results known), the stage pushes no row whatever it
   * is pushed and its `end` only ends the next stage — an inner join whose subsearch gave no rows.
   * The pipeline's output is then that of the commands from it on over no rows: `drive` runs
   * only those when every command before it is quiet (the events are not read).
   */
  givesNoRows?(rt: Runtime): boolean;
  /**
   * Given no rows, the stage pushes none and its `end` only ends the next stage, whatever its
   * subsearches found (join): its subsearches need not run when no row reaches it.
   */
  readonly nothingFromNoRows?: boolean;
  /** The stage: receives rows, pushes its output to `next`. */
  stage(next: Sink, rt: Runtime): Sink;
}

/** Where a pipeline's first rows come from. */
export type PipelineSource = 'events' | 'generator' | 'rows';

export interface PipelinePlan {
  readonly commands: readonly CommandPlan[];
  readonly source: PipelineSource;
  readonly span: Span;
}

/** A subsearch: its pipeline and Splunk's limit on the rows it returns (`maxout`). */
export interface SubPlan {
  readonly pipeline: PipelinePlan;
  readonly maxout: number;
  readonly span: Span;
}

/** A sink that collects rows. */
export function collector(): Sink & { rows: Row[] } {
  const rows: Row[] = [];
  return { rows, push: (r) => rows.push(r), end() {} };
}

/** Chains the stages of `commands` in front of `sink`; returns the head. */
export function chain(commands: readonly CommandPlan[], sink: Sink, rt: Runtime): Sink {
  let next = sink;
  for (let i = commands.length - 1; i >= 0; i--) next = commands[i]!.stage(next, rt);
  return next;
}

function isAsync<T>(x: Iterable<T> | AsyncIterable<T>): x is AsyncIterable<T> {
  return typeof (x as AsyncIterable<T>)[Symbol.asyncIterator] === 'function';
}

/** The rows a pipeline starts from (events, a generator's rows, or nothing for 'rows'). */
function sourceRows(p: PipelinePlan, rt: Runtime): { rows: Iterable<Row> | AsyncIterable<Row | Event>; from: number } {
  if (p.source === 'generator') return { rows: p.commands[0]!.generate!(rt), from: 1 };
  if (p.source === 'events') return { rows: rt.events() as Iterable<Row> | AsyncIterable<Row>, from: 0 };
  return { rows: [], from: 0 };
}

/**
 * Commands quiet (CommandPlan.quiet) when they have no subsearch: tstats warns only when the
 * results of a subsearch in its where-clause do not form a search (./commands/tstats.ts), and
 * its own module does not say.
 */
const QUIET_WITHOUT_SUBSEARCHES: ReadonlySet<string> = new Set(['tstats']);

/** Whether a command never warns and only pushes rows on (CommandPlan.quiet, or tstats without subsearches). */
export function isQuiet(c: CommandPlan): boolean {
  if (c.nested && c.nested.length > 0) return false;
  return c.quiet === true || (QUIET_WITHOUT_SUBSEARCHES.has(c.name) && !(c.subsearches && c.subsearches.length > 0));
}

/**
 * The first command of `p` that gives no rows in this run (CommandPlan.givesNoRows) with only
 * quiet commands before it, else -1. What comes before such a command cannot change the rows
 * of the pipeline (none of its rows gets past it) nor its warnings (none of it warns), so the
 * pipeline's rows are those of the commands from it on, given no rows — and the events need not
 * be read: `| tstats … from Processes by … | rename … | join process_guid [| tstats … where
 * <rare>]` whose subsearch found nothing (Splunk runs the subsearch first; type=inner keeps only
 * main results that match one of its rows) ends at once instead of grouping every event.
 */
export function deadFrom(p: PipelinePlan, rt: Runtime): number {
  const cs = p.commands;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (c.givesNoRows?.(rt)) return i;
    if (!isQuiet(c)) return -1;
  }
  return -1;
}

/** Runs a whole pipeline into `sink` (its subsearches must have run). */
export async function drive(
  p: PipelinePlan,
  rt: Runtime,
  sink: Sink,
  onChunk?: () => Promise<void> | void,
): Promise<void> {
  const streamed = rt.streamed?.get(p);
  if (streamed) {
    driveRest(p, streamed, rt, sink);
    return;
  }
  const dead = deadFrom(p, rt);
  if (dead >= 0) {
    chain(p.commands.slice(dead), sink, rt).end();
    return;
  }
  const first = p.commands[0];
  // A generating command that takes pushed events (tstats) gives the rows of `generate` with the
  // events pushed in (CommandPlan.consume): driven that way, a pass over the events needs no
  // generator or promise per data-set row, and a data set's rows of an event come from
  // `rowsOf` (which the scan remembers per event) instead of a second walk through `rows`. The
  // batch path (runPipelineBatch) keeps `generate`; property tests hold the two equal.
  const consumed = p.source === 'generator' && first?.consume !== undefined;
  const { rows, from } = consumed
    ? { rows: rt.events() as Iterable<Row> | AsyncIterable<Row>, from: 1 }
    : sourceRows(p, rt);
  const rest = chain(p.commands.slice(from), sink, rt);
  const head = consumed ? first.consume!(rest, rt) : rest;
  if (isAsync(rows)) {
    for await (const r of rows) {
      head.push(r as Row);
      const wait = onChunk?.();
      if (wait) await wait;
    }
  } else {
    let n = 0;
    for (const r of rows) {
      head.push(r as Row);
      if (onChunk && ++n % 256 === 0) {
        const wait = onChunk();
        if (wait) await wait;
      }
    }
  }
  head.end();
}

/**
 * The rest of a pipeline whose leading commands ran as the events arrived: their rows through
 * the commands after them. Those commands are quiet (passes.ts takes only such), so a dead
 * command after them (`deadFrom`) is the one `drive` would find over the whole pipeline.
 */
function driveRest(p: PipelinePlan, streamed: StreamedPass, rt: Runtime, sink: Sink): void {
  const rest = p.commands.slice(streamed.ran);
  const dead = deadFrom({ commands: rest, source: 'rows', span: p.span }, rt);
  if (dead >= 0) {
    chain(rest.slice(dead), sink, rt).end();
    return;
  }
  const head = chain(rest, sink, rt);
  for (const r of streamed.rows) head.push(r);
  head.end();
}

/** Runs every subsearch of a pipeline (depth first) and stores the results. */
export async function runSubsearches(p: PipelinePlan, rt: Runtime, store: Map<SubPlan, Row[]>): Promise<void> {
  for (const c of p.commands) {
    for (const n of c.nested ?? []) await runSubsearches(n, rt, store);
    for (const s of c.subsearches ?? []) {
      if (store.has(s)) continue;
      await runSubsearches(s.pipeline, rt, store);
      const out = collector();
      // Splunk stops a subsearch at maxout results.
      const limited: Sink = {
        push: (r) => {
          if (out.rows.length < s.maxout) out.rows.push(r);
        },
        end() {},
      };
      await drive(s.pipeline, rt, limited);
      store.set(s, out.rows);
    }
  }
}

export interface RunOptions {
  /** Epoch seconds of the search (default: the prepare option, else the clock at run start). */
  now?: number;
  /** Called for each problem met while running (per-row problems do not stop the run). */
  onWarning?(w: RunWarning): void;
}

/** Makes a re-iterable event source; a one-shot iterator is buffered on its first pass when needed. */
function eventPasses(source: EventSource, passes: number): () => Iterable<Event> | AsyncIterable<Event> {
  if (typeof source === 'function') return source;
  const src = source as { [Symbol.asyncIterator]?: () => unknown; [Symbol.iterator]?: () => unknown };
  const oneShot =
    (typeof src[Symbol.asyncIterator] === 'function' && src[Symbol.asyncIterator]!() === src) ||
    (typeof src[Symbol.iterator] === 'function' && !Array.isArray(src) && src[Symbol.iterator]!() === src);
  if (!oneShot || passes <= 1) return () => source;
  let buffer: Event[] | undefined;
  let first = true;
  return () => {
    if (buffer) return buffer;
    if (!first) return [];
    first = false;
    const b: Event[] = [];
    const once = source as Iterable<Event> | AsyncIterable<Event>;
    if (isAsync(once)) {
      return (async function* () {
        for await (const e of once) {
          b.push(e);
          yield e;
        }
        buffer = b;
      })();
    }
    return (function* () {
      for (const e of once) {
        b.push(e);
        yield e;
      }
      buffer = b;
    })();
  };
}

/** How many passes over the events a pipeline makes (main search + subsearches over events). */
export function eventPassCount(p: PipelinePlan): number {
  let n = passCounts.get(p);
  if (n === undefined) passCounts.set(p, (n = countEventPasses(p)));
  return n;
}

/** Pass counts by plan (a plan never changes once prepared; runs are opened per detection and log). */
const passCounts = new WeakMap<PipelinePlan, number>();

/** Commands that read the search's events wherever they stand (each is one more pass over them). */
export const EVENT_READING_COMMANDS: ReadonlySet<string> = new Set(['tstats', 'datamodel', 'from']);

function countEventPasses(p: PipelinePlan): number {
  let n = p.source === 'events' ? 1 : 0;
  for (const c of p.commands) {
    for (const s of c.subsearches ?? []) n += eventPassCount(s.pipeline);
    for (const x of c.nested ?? []) n += eventPassCount(x);
    if (EVENT_READING_COMMANDS.has(c.name)) n += 1;
  }
  return n;
}

export interface PlanContext {
  readonly lookups?: LookupProvider;
  readonly dataModels?: DataModelProvider;
  readonly now?: number;
  readonly timeRange?: { earliest?: number; latest?: number };
}

export function makeRuntime(
  p: PipelinePlan,
  ctx: PlanContext,
  events: EventSource,
  options: RunOptions,
  store: Map<SubPlan, Row[]>,
  streamed?: ReadonlyMap<PipelinePlan, StreamedPass>,
): Runtime {
  const passes = eventPasses(events, eventPassCount(p));
  return {
    ...(streamed ? { streamed } : {}),
    now: options.now ?? ctx.now ?? Date.now() / 1000,
    timeRange: ctx.timeRange ?? {},
    lookups: ctx.lookups,
    dataModels: ctx.dataModels,
    events: passes,
    eventSource: passes,
    results: (s) => store.get(s) ?? [],
    warn: (command, message, span) => options.onWarning?.({ command, message, span }),
  };
}

/**
 * Runs a pipeline, yielding result rows as they are produced (streaming commands let rows
 * through while events are still being read).
 */
export async function* runPipeline(
  p: PipelinePlan,
  ctx: PlanContext,
  events: EventSource,
  options: RunOptions = {},
): AsyncGenerator<Row> {
  const store = new Map<SubPlan, Row[]>();
  const rt = makeRuntime(p, ctx, events, options, store);
  await runSubsearches(p, rt, store);
  const out = collector();
  let done = false;
  let wake: (() => void) | undefined;
  let failure: unknown;
  // The driver pauses after each chunk until the consumer has taken what it produced.
  let resume: (() => void) | undefined;
  const driving = drive(p, rt, out, () => {
    if (out.rows.length === 0) return;
    wake?.();
    return new Promise<void>((r) => {
      resume = r;
    });
  }).then(
    () => {
      done = true;
      wake?.();
    },
    (e) => {
      failure = e;
      done = true;
      wake?.();
    },
  );
  for (;;) {
    if (out.rows.length > 0) {
      const batch = out.rows.splice(0, out.rows.length);
      for (const r of batch) yield r;
      const r = resume;
      resume = undefined;
      r?.();
      continue;
    }
    if (done) break;
    await new Promise<void>((r) => {
      wake = r;
      if (out.rows.length > 0 || done) r();
    });
    wake = undefined;
  }
  await driving;
  if (failure) throw failure;
}

/** Whether no command of `p`, of its subsearches or theirs, can warn (every one quiet). */
function quietThroughout(p: PipelinePlan, depth = 0): boolean {
  if (depth > 100) return false;
  for (const c of p.commands) {
    if (!isQuiet(c)) return false;
    for (const s of c.subsearches ?? []) if (!quietThroughout(s.pipeline, depth + 1)) return false;
  }
  return true;
}

/**
 * The main search before its join, run first when its first command accepts none of the
 * events: `| tstats … from Registry where <rare> by … | rename … | join type=outer process_guid
 * [| tstats … from Processes by …]` on a log with no such registry event. A join given no rows
 * gives none whatever its subsearch found (CommandPlan.nothingFromNoRows), so the subsearch —
 * here every process event grouped — need not run when no row reaches the join. Splunk runs
 * the subsearch first; the order is not seen in the rows (each side reads the same events and
 * neither reads the other's results before the join) nor in the warnings: only taken when the
 * join is the only command with subsearches and they cannot warn. Events given as an array
 * only (the probe reads them; a one-shot source allows one pass). True when it ran the pipeline
 * into `sink` (the subsearches run only if rows reached the join); false: nothing was run.
 */
async function mainFirst(
  p: PipelinePlan,
  rt: Runtime,
  events: EventSource,
  store: Map<SubPlan, Row[]>,
  sink: Sink,
): Promise<boolean> {
  if (!Array.isArray(events)) return false;
  const cs = p.commands;
  let k = -1;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (c.nested && c.nested.length > 0) return false;
    if (c.subsearches && c.subsearches.length > 0) {
      if (k >= 0) return false;
      k = i;
    }
  }
  if (k <= 0) return false;
  const join = cs[k]!;
  if (!join.nothingFromNoRows) return false;
  for (const s of join.subsearches!) if (!quietThroughout(s.pipeline)) return false;
  const first = cs[0]!;
  // `accepts` false: the first command drops the event with no effect (as pushFilter uses it).
  if (!first.accepts || !(p.source === 'events' || (p.source === 'generator' && first.consume !== undefined)))
    return false;
  for (let i = 0; i < events.length; i++) if (first.accepts(events[i] as Event)) return false;
  const before = collector();
  await drive({ commands: cs.slice(0, k), source: p.source, span: p.span }, rt, before);
  if (before.rows.length > 0) await runSubsearches(p, rt, store);
  const head = chain(cs.slice(k), sink, rt);
  for (const r of before.rows) head.push(r);
  head.end();
  return true;
}

/**
 * Runs a pipeline to its end: the rows `runPipeline` yields, in the same order, without handing
 * them out one at a time (no generator, no promise per row or chunk): for callers that want all
 * of them (`collect`; `dac scan` collects a run per detection and log).
 */
export async function runPipelineToEnd(
  p: PipelinePlan,
  ctx: PlanContext,
  events: EventSource,
  options: RunOptions = {},
): Promise<Row[]> {
  const store = new Map<SubPlan, Row[]>();
  const rt = makeRuntime(p, ctx, events, options, store);
  const out = collector();
  if (await mainFirst(p, rt, events, store, out)) return out.rows;
  await runSubsearches(p, rt, store);
  await drive(p, rt, out);
  return out.rows;
}

/**
 * The batch path: runs each command over the complete output of the one before (no interleaving).
 * Gives the same rows as the streaming path; the property tests hold the two to that.
 */
export async function runPipelineBatch(
  p: PipelinePlan,
  ctx: PlanContext,
  events: EventSource,
  options: RunOptions = {},
): Promise<Row[]> {
  const store = new Map<SubPlan, Row[]>();
  const rt = makeRuntime(p, ctx, events, options, store);
  await runSubsearches(p, rt, store);
  const { rows, from } = sourceRows(p, rt);
  let current: Row[] = [];
  if (isAsync(rows)) for await (const r of rows) current.push(r as Row);
  else for (const r of rows) current.push(r as Row);
  for (const c of p.commands.slice(from)) {
    const out = collector();
    const s = c.stage(out, rt);
    for (const r of current) s.push(r);
    s.end();
    current = out.rows;
  }
  return current;
}

/** Copies an event into a row the pipeline owns (events are the caller's). */
export const ownRow = (e: Event | Row): Row => copyRow(e);
