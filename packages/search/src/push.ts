/**
 * Push mode: a prepared search that the caller feeds one event at a time (`push`), then `end`s —
 * for callers that read each log once and hand every event to many searches (`dac scan`), or
 * that already drive their own reading loop (`dac replay`).
 *
 * A search that reads its events once (a base search, or a leading tstats whose data set can
 * turn one event into its rows) runs synchronously as the events arrive: its subsearches (which
 * then read no events: inputlookup, makeresults) run at the plan's first open — later opens at
 * the same `now` reuse their results and open without waiting (`openSearchNow`) — then every
 * pushed event goes through the stages. A search that reads its events more than once (a subsearch or join over
 * the same events) keeps the pushed events and runs at `end`, as `collect` would. Either way the
 * rows are those of `collect` over the same events (tested).
 */
import { collect, type SearchPlan } from './prepare.js';
import {
  chain,
  collector,
  EVENT_READING_COMMANDS,
  eventPassCount,
  makeRuntime,
  type PipelinePlan,
  runSubsearches,
  type SubPlan,
} from './engine.js';
import { openPasses, type PassRuns, streamedPasses } from './passes.js';
import type { Event, Row, RunWarning } from './types.js';

export interface PushSearch {
  /** Whether events run through the stages as they arrive (false: kept and run at `end`). */
  readonly streaming: boolean;
  push(event: Event): void;
  /** Ends the input; the result rows (engine values: use `toSplunkRow` for output) and warnings. */
  end(): Promise<{ rows: Row[]; warnings: RunWarning[] }>;
}

export interface OpenSearchOptions {
  /** Epoch seconds of the search (default: the plan's, else the clock at open). */
  now?: number;
  /**
   * A search that reads its events more than once keeps at most this many (default
   * KEPT_EVENTS_MAX) before it streams each pass instead (passes.ts), when it can: 0 streams
   * the passes from the first event.
   */
  keptEvents?: number;
}

/**
 * Events a search that reads them more than once keeps before it streams its passes instead.
 * Keeping is cheaper per event (an inner join whose subsearch finds nothing then never groups
 * the main search's events: engine.ts `deadFrom`), streaming bounds the memory: a log of any
 * size holds at most this many events per such search (they are shared by every search of a
 * scan), then only the passes' groups.
 */
export const KEPT_EVENTS_MAX = 10_000;

/**
 * Whether the search reads its events once, through its first command (no subsearch, join or
 * append over the events): every event that matters then passes the first command's expression.
 */
export function readsEventsOnce(plan: SearchPlan): boolean {
  return eventPassCount(plan.pipeline) === 1;
}

/**
 * The events a pushed run can use: false for an event the search's first command drops with no
 * effect (pushing it changes nothing, and a run that accepts no event gives the rows of a run
 * over no events). Undefined when the first command does not say (every event may matter).
 */
export function pushFilter(plan: SearchPlan): ((event: Event) => boolean) | undefined {
  const p = plan.pipeline;
  const first = p.commands[0];
  if (eventPassCount(p) !== 1) {
    // Several passes (`| tstats … | join [| tstats …]`): the run keeps its events and reads them
    // once per pass, each time through a first command. An event none of those commands accepts
    // has no effect on any pass, so it need not be kept.
    const readers: ((row: Row | Event) => boolean)[] = [];
    if (!eventReaders(p, readers, 0) || readers.length === 0) return undefined;
    if (readers.length === 1) return readers[0]!;
    return (e) => {
      for (let i = 0; i < readers.length; i++) if (readers[i]!(e)) return true;
      return false;
    };
  }
  if (!first?.accepts) return undefined;
  if (p.source === 'events' || (p.source === 'generator' && first.consume !== undefined)) return first.accepts;
  return undefined;
}

/**
 * Adds to `out` the `accepts` of every first command through which `p` and the pipelines it runs
 * (subsearches, nested pipelines) read events; false when some read of the events is not through
 * such a command (then every event may matter).
 */
function eventReaders(p: PipelinePlan, out: ((row: Row | Event) => boolean)[], depth: number): boolean {
  if (depth > 100) return false;
  const first = p.commands[0];
  const readsEvents =
    p.source === 'events' || (p.source === 'generator' && EVENT_READING_COMMANDS.has(first?.name ?? ''));
  if (readsEvents) {
    if (!first?.accepts) return false;
    out.push(first.accepts);
  }
  for (let i = 0; i < p.commands.length; i++) {
    const c = p.commands[i]!;
    // A later event-reading command (`tstats append=true`): not covered here.
    if (i > 0 && EVENT_READING_COMMANDS.has(c.name)) return false;
    for (const s of c.subsearches ?? []) if (!eventReaders(s.pipeline, out, depth + 1)) return false;
    for (const n of c.nested ?? []) if (!eventReaders(n, out, depth + 1)) return false;
  }
  return true;
}

/**
 * Results of a plan's event-free subsearches (inputlookup, makeresults) at one `now`, with the
 * warnings their run gave: a plan is opened once per log file (`dac scan`: each detection on each
 * of hundreds of logs) and such a subsearch gives the same rows every time — it reads no events,
 * and the plan's tables, data models and time range are fixed at prepare time; only `now`
 * (`makeresults`, `now()`) can change its rows. Result rows are only read by the commands that
 * use them (`Runtime.results` is readonly; append and join copy what they pass on), so runs
 * share them. One entry per plan: the last `now` it was opened with.
 */
const subsearchResults = new WeakMap<
  SearchPlan,
  { readonly now: number; readonly store: Map<SubPlan, Row[]>; readonly warnings: readonly RunWarning[] }
>();

/** Whether a pipeline or any it runs has a subsearch (whose results a run needs before its first event). */
function hasSubsearches(p: PipelinePlan): boolean {
  for (const c of p.commands) {
    if (c.subsearches && c.subsearches.length > 0) return true;
    for (const n of c.nested ?? []) if (hasSubsearches(n)) return true;
  }
  return false;
}

/** Whether events run through the stages as they arrive (else they are kept and run at `end`). */
function streams(p: PipelinePlan): boolean {
  const first = p.commands[0];
  return (
    eventPassCount(p) === 1 && (p.source === 'events' || (p.source === 'generator' && first?.consume !== undefined))
  );
}

/**
 * Opens a prepared search for pushed events without waiting, when nothing has to run first: the
 * search keeps its events (it runs at `end`), has no subsearch, or its subsearches' results for
 * this `now` are known from an earlier open of the plan. Undefined otherwise (`openSearch` runs
 * them). The same run as `openSearch` gives.
 */
export function openSearchNow(plan: SearchPlan, options: OpenSearchOptions = {}): PushSearch | undefined {
  const p = plan.pipeline;
  if (!streams(p)) return keepingRun(plan, options);
  const now = options.now ?? plan.context.now ?? Date.now() / 1000;
  if (!hasSubsearches(p)) return streamingRun(plan, now, new Map(), []);
  const known = subsearchResults.get(plan);
  if (known?.now !== now) return undefined;
  return streamingRun(plan, now, known.store, [...known.warnings]);
}

/** Opens a prepared search for pushed events. */
export async function openSearch(plan: SearchPlan, options: OpenSearchOptions = {}): Promise<PushSearch> {
  const ready = openSearchNow(plan, options);
  if (ready) return ready;
  // Only event-free subsearches remain (the pass count is 1): they run now, before any event.
  const now = options.now ?? plan.context.now ?? Date.now() / 1000;
  const store = new Map<SubPlan, Row[]>();
  const warnings: RunWarning[] = [];
  const rt = makeRuntime(plan.pipeline, plan.context, [], { now, onWarning: (w) => warnings.push(w) }, store);
  await runSubsearches(plan.pipeline, rt, store);
  subsearchResults.set(plan, { now, store, warnings: [...warnings] });
  return streamingRun(plan, now, store, warnings);
}

/** A run that keeps the pushed events and runs the search over them at `end`, as `collect` does. */
function keepingRun(plan: SearchPlan, options: OpenSearchOptions): PushSearch {
  let kept: Event[] = [];
  const passes = streamedPasses(plan.pipeline);
  const limit = passes ? (options.keptEvents ?? KEPT_EVENTS_MAX) : Infinity;
  let streamed: PassRuns | undefined;
  // The same `now` for the passes as `collect` would take at the end.
  const now = options.now ?? plan.context.now ?? Date.now() / 1000;
  const stream = () => {
    streamed = openPasses(plan, passes!, now);
    for (const e of kept) streamed.push(e);
    kept = [];
    return streamed;
  };
  if (limit === 0) stream();
  return {
    streaming: false,
    push: (e) => {
      if (streamed) streamed.push(e);
      else if (kept.push(e) > limit) stream();
    },
    end: () => (streamed ? streamed.end() : collect(plan, kept, { now })),
  };
}

/**
 * A run whose events go through the stages as they arrive, with its subsearches' results in
 * `store` and the warnings met so far (their run's) in `warnings`.
 */
function streamingRun(plan: SearchPlan, now: number, store: Map<SubPlan, Row[]>, warnings: RunWarning[]): PushSearch {
  const p = plan.pipeline;
  const rt = makeRuntime(p, plan.context, [], { now, onWarning: (w) => warnings.push(w) }, store);
  const out = collector();
  const first = p.commands[0]!;
  const head =
    p.source === 'events' ? chain(p.commands, out, rt) : first.consume!(chain(p.commands.slice(1), out, rt), rt);
  let ended = false;
  return {
    streaming: true,
    push: (e) => head.push(e as Row),
    end: async () => {
      if (!ended) {
        ended = true;
        head.end();
      }
      return { rows: out.rows, warnings };
    },
  };
}
