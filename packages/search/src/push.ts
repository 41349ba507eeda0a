/**
 * Push mode: a prepared search that the caller feeds one event at a time (`push`), then `end`s —
 * for callers that read each log once and hand every event to many searches (`dac scan`), or
 * that already drive their own reading loop (`dac replay`).
 *
 * A search that reads its events once (a base search, or a leading tstats whose data set can
 * turn one event into its rows) runs synchronously as the events arrive: its subsearches (which
 * then read no events: inputlookup, makeresults) run at open, then every pushed event goes
 * through the stages. A search that reads its events more than once (a subsearch or join over
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
  type Sink,
  type SubPlan,
} from './engine.js';
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
}

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
      for (const accepts of readers) if (accepts(e)) return true;
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

/** Opens a prepared search for pushed events. */
export async function openSearch(plan: SearchPlan, options: OpenSearchOptions = {}): Promise<PushSearch> {
  const p = plan.pipeline;
  const warnings: RunWarning[] = [];
  const first = p.commands[0];
  const once = eventPassCount(p) === 1;
  const pushable = once && (p.source === 'events' || (p.source === 'generator' && first?.consume !== undefined));
  if (!pushable) {
    const kept: Event[] = [];
    return {
      streaming: false,
      push: (e) => {
        kept.push(e);
      },
      end: () => collect(plan, kept, { now: options.now }),
    };
  }
  const store = new Map<SubPlan, Row[]>();
  const rt = makeRuntime(p, plan.context, [], { now: options.now, onWarning: (w) => warnings.push(w) }, store);
  // Only event-free subsearches remain (the pass count is 1): they run now, before any event.
  await runSubsearches(p, rt, store);
  const out = collector();
  let head: Sink;
  if (p.source === 'events') head = chain(p.commands, out, rt);
  else head = first!.consume!(chain(p.commands.slice(1), out, rt), rt);
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
