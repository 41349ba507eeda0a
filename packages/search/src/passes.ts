/**
 * Pass streaming: a search that reads its events more than once (`| tstats … from Processes by
 * … | join process_guid [| tstats … from Registry …]`, ESCU's process-and-registry template)
 * run without keeping its events. Each pass over the events (the main search, each subsearch
 * that reads them) runs its leading commands as the events arrive and keeps only what the last
 * of them gives (a tstats' groups, a base search's matching events); at the end the search runs
 * as `collect` would, every such pass starting from those rows (engine.ts `Runtime.streamed`).
 *
 * Same rows and warnings as `collect` over the same events: a pass's leading commands need
 * nothing of another pass (no subsearch, no nested pipeline, no later event-reading command) and
 * are quiet (they never warn), so running them early, one event at a time, shows in no output;
 * Splunk runs subsearches first, and here each pass still ends, and its results are used, in
 * that order. A search with a pass that cannot start so (a base search whose first command uses
 * a subsearch's results) is not pass-streamed (`streamedPasses` is undefined).
 */
import {
  chain,
  collector,
  drive,
  EVENT_READING_COMMANDS,
  isQuiet,
  makeRuntime,
  type PipelinePlan,
  runSubsearches,
  type Sink,
  type StreamedPass,
  type SubPlan,
} from './engine.js';
import type { SearchPlan } from './prepare.js';
import type { Event, Row, RunWarning } from './types.js';

/** A pass over the events and how many of its leading commands run as the events arrive. */
export interface PassPlan {
  readonly pipeline: PipelinePlan;
  readonly leading: number;
}

const passPlans = new WeakMap<PipelinePlan, readonly PassPlan[] | null>();

/**
 * Every pass over the events of `p` (its own, its subsearches', theirs) with its leading
 * commands; undefined when some pass cannot start before the others have run.
 */
export function streamedPasses(p: PipelinePlan): readonly PassPlan[] | undefined {
  let known = passPlans.get(p);
  if (known === undefined) {
    const out: PassPlan[] = [];
    known = addPasses(p, out, 0, false) ? out : null;
    passPlans.set(p, known);
  }
  return known ?? undefined;
}

function addPasses(p: PipelinePlan, out: PassPlan[], depth: number, nested: boolean): boolean {
  if (depth > 100) return false;
  const cs = p.commands;
  const first = cs[0];
  const readsEvents =
    p.source === 'events' || (p.source === 'generator' && EVENT_READING_COMMANDS.has(first?.name ?? ''));
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    // A later event-reading command (`tstats append=true`) reads the events where it stands.
    if (i > 0 && EVENT_READING_COMMANDS.has(c.name)) return false;
    for (const s of c.subsearches ?? []) if (!addPasses(s.pipeline, out, depth + 1, false)) return false;
    for (const n of c.nested ?? []) if (!addPasses(n, out, depth + 1, true)) return false;
  }
  if (!readsEvents) return true;
  // A nested pipeline (appendpipe, foreach) is run by its command, not by `drive`.
  if (nested) return false;
  if (p.source === 'generator' && first!.consume === undefined) return false;
  let leading = 0;
  while (leading < cs.length) {
    const c = cs[leading]!;
    if ((c.subsearches?.length ?? 0) > 0 || (c.nested?.length ?? 0) > 0 || !isQuiet(c)) break;
    if (leading > 0 && EVENT_READING_COMMANDS.has(c.name)) break;
    leading++;
  }
  if (leading === 0) return false;
  out.push({ pipeline: p, leading });
  return true;
}

/** The running passes of one run (`openPasses`). */
export interface PassRuns {
  push(event: Event): void;
  end(): Promise<{ rows: Row[]; warnings: RunWarning[] }>;
}

/** An event source no pass reads (every pass was streamed): reading it is a bug, not an empty pass. */
const NO_EVENT_PASS = (): never => {
  throw new Error('internal: a pass over the events was not streamed');
};

/**
 * Opens every pass of `plan` (`streamedPasses`, which must be defined) at `now`: push the events
 * (each pass takes those its first command accepts), then `end` for the search's rows.
 */
export function openPasses(plan: SearchPlan, passes: readonly PassPlan[], now: number): PassRuns {
  // The leading commands are quiet: their runtime never warns, nor reads a subsearch or the events.
  const lead = makeRuntime(plan.pipeline, plan.context, NO_EVENT_PASS, { now }, new Map());
  const runs = passes.map(({ pipeline: p, leading }) => {
    const out = collector();
    const first = p.commands[0]!;
    const consumed = p.source === 'generator';
    const rest: Sink = chain(p.commands.slice(consumed ? 1 : 0, leading), out, lead);
    const head = consumed ? first.consume!(rest, lead) : rest;
    // A base search's stage tests its expression itself; a leading tstats' `accepts` keeps the
    // rows it matched for the push that follows (one test per event).
    return { p, leading, out, head, accepts: consumed ? first.accepts : undefined };
  });
  return {
    push(event) {
      for (let i = 0; i < runs.length; i++) {
        const r = runs[i]!;
        // `accepts` false: the first command drops the event with no effect.
        if (r.accepts && !r.accepts(event)) continue;
        r.head.push(event as Row);
      }
    },
    async end() {
      const streamed = new Map<PipelinePlan, StreamedPass>();
      for (const r of runs) {
        r.head.end();
        streamed.set(r.p, { ran: r.leading, rows: r.out.rows });
      }
      const warnings: RunWarning[] = [];
      const store = new Map<SubPlan, Row[]>();
      const rt = makeRuntime(
        plan.pipeline,
        plan.context,
        NO_EVENT_PASS,
        { now, onWarning: (w) => warnings.push(w) },
        store,
        streamed,
      );
      await runSubsearches(plan.pipeline, rt, store);
      const out = collector();
      await drive(plan.pipeline, rt, out);
      return { rows: out.rows, warnings };
    },
  };
}
