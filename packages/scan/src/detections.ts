/**
 * ScanDetections from the content tree through @dac/replay's prepared-detection API (the one way
 * dac runs a detection offline): `prepareDetection` gives a prepared detection (its index keys,
 * the fields it reads, `open()` → push/end) or the reason it cannot be replayed.
 */
import type { DetectionData } from '@dac/content';
import { defaultAddonEngine, defaultDataModels, type DataModelProvider, type SplunkEvent } from '@dac/normalise';
import { type Event, openSearch, openSearchNow, type PushSearch, pushFilter, type SearchPlan } from '@dac/search';
import { contentLookups, prepareDetection, type ContentContext } from '@dac/replay';
import { searchMacroTable } from '@dac/spl';
import type { ScanContent } from './content.js';
import type { CompiledPredicateHook } from '@dac/search';
import { detectionKeys } from './keys.js';
import type { DetectionRun, NotScanned, ScanDetection } from './types.js';

function techniquesOf(data: DetectionData): string[] {
  const ids = (data.tags as { mitre_attack_id?: unknown } | undefined)?.mitre_attack_id;
  return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * A run of the detection's search on one log file. The scan counts its rows, so it opens the
 * prepared plan itself (`PreparedDetection.open` is the same run, with the rows converted to
 * Splunk's strings). It opens at once when nothing has to run first (@dac/search
 * `openSearchNow`): then every event is pushed as the scan hands it over, right after the
 * detection's `accepts` looked at it (a leading tstats reuses the rows it matched there). Else
 * (the first run of a plan with subsearches) it takes events at once while the open resolves.
 */
function runOf(
  plan: SearchPlan,
  now: number,
  project?: (e: SplunkEvent) => SplunkEvent,
  keptEvents?: number,
): DetectionRun {
  const ready = openSearchNow(plan, { now, keptEvents });
  if (ready)
    return {
      push: project ? (e) => ready.push(project(e) as Event) : (e) => ready.push(e as Event),
      end: async () => (await ready.end()).rows.length,
    };
  let run: PushSearch | undefined;
  const early: SplunkEvent[] = [];
  const opening = openSearch(plan, { now, keptEvents }).then((r) => {
    run = r;
    for (const e of early) r.push(e as Event);
    early.length = 0;
    return r;
  });
  opening.catch(() => {});
  return {
    push(e) {
      const x = project ? project(e) : e;
      if (run) run.push(x as Event);
      else early.push(x);
    },
    async end() {
      const r = await opening;
      return (await r.end()).rows.length;
    },
  };
}

/**
 * The event as a base search with a known field set reads it: only the fields of `names` it has
 * (null prototype, as the event's). An event of the scan holds ~65 fields (the reader's and every
 * candidate's extractions) and the base search copies each event it keeps when a later stage may
 * modify rows (`copyRow`: ~12 µs for 65 fields in V8's dictionary mode, the largest cost of such a
 * push); the copy of the projection costs a fraction. Exact: `PreparedDetection.wanted` of a base
 * search (@dac/replay `rawSearchFields`) is a superset of every field the search reads up to a
 * command that keeps only the fields it names (`stats … by`, `table`), so no other field can
 * reach a row; the extraction already projects on the same set.
 */
export function eventProjection(wanted: ReadonlySet<string>): (e: SplunkEvent) => SplunkEvent {
  const names = [...wanted];
  return (e) => {
    const out: SplunkEvent = Object.create(null);
    for (let i = 0; i < names.length; i++) {
      const n = names[i]!;
      const v = e[n];
      if (v !== undefined) out[n] = v;
    }
    return out;
  };
}

/** The projection of the pushed events of a prepared detection, when one is exact (see eventProjection). */
export function projectionOf(
  p: Pick<
    Extract<ReturnType<typeof prepareDetection>, { replayable: true }>,
    'wanted' | 'dataSet' | 'pipeline' | 'plan'
  >,
): ((e: SplunkEvent) => SplunkEvent) | undefined {
  if (!p.wanted || p.dataSet !== undefined) return undefined;
  if (p.pipeline.commands[0]?.kind !== 'search' || p.plan.pipeline.source !== 'events') return undefined;
  if (p.plan.pipeline.commands[0]?.name !== 'search') return undefined;
  return eventProjection(p.wanted);
}

/**
 * The CIM data sets with each event's rows computed once per data set: the scan pushes one
 * event object into every detection routed to it, and hundreds of tstats detections read
 * Endpoint.Processes. tstats only reads the rows it is given (it outputs fresh aggregate rows).
 */
export function sharedRows(dm: DataModelProvider): DataModelProvider {
  const memo = new WeakMap<SplunkEvent, Map<string, ReturnType<DataModelProvider['rows']>>>();
  // The event asked about last and its rows by data set: the scan hands one event to all its
  // candidate detections before reading the next, so nearly every call is about this one and
  // skips the WeakMap.
  let lastEvent: SplunkEvent | undefined;
  let lastRows: Map<string, ReturnType<DataModelProvider['rows']>> | undefined;
  return {
    ...dm,
    rows(ev, target) {
      let m = ev === lastEvent ? lastRows : memo.get(ev);
      if (!m) memo.set(ev, (m = new Map()));
      lastEvent = ev;
      lastRows = m;
      let rows = m.get(target);
      if (!rows) m.set(target, (rows = dm.rows(ev, target)));
      return rows;
    },
  };
}

let shared: DataModelProvider | undefined;
/** The CIM data sets of @dac/normalise with rows shared per event (one instance per thread). */
export function sharedDataModels(): DataModelProvider {
  shared ??= sharedRows(defaultDataModels());
  return shared;
}

/** The context the detections are prepared in (replay's contentContext, from plain content). */
export function scanContext(content: Pick<ScanContent, 'macros' | 'lookups'>): ContentContext {
  return {
    macros: searchMacroTable(content.macros),
    lookups: contentLookups(content),
    dataModels: sharedDataModels(),
    addons: defaultAddonEngine(),
  };
}

/** One detection of the content prepared for scanning (a ScanDetection), or why it cannot be. */
export function scanDetectionOf(
  ctx: ContentContext,
  { file, data }: ScanContent['detections'][number],
  now: number,
  compiledPredicate?: CompiledPredicateHook,
  keptEvents?: number,
): { detection: ScanDetection } | { notScanned: NotScanned } {
  const name = typeof data?.name === 'string' ? data.name : file;
  const techniques = data ? techniquesOf(data) : [];
  if (!data) return { notScanned: { file, name, techniques, reason: 'the detection file does not read as a mapping' } };
  const p = prepareDetection({ file, data }, ctx, { now, compiledPredicate });
  if (!p.replayable) return { notScanned: { file, name, techniques, reason: p.reason } };
  let empty: Promise<number> | undefined;
  let emptyRows: number | undefined;
  const accepts = pushFilter(p.plan);
  const project = projectionOf(p);
  return {
    detection: {
      file,
      id: typeof data.id === 'string' ? data.id : file,
      name,
      techniques,
      keys: detectionKeys(p, ctx.dataModels),
      fields: p.wanted,
      ...(accepts ? { accepts: accepts as (e: SplunkEvent) => boolean } : {}),
      open: () => runOf(p.plan, now, project, keptEvents),
      // Asked on every log the detection is not run on: the count itself once known (no await).
      rowsOnNoEvents: () => {
        if (emptyRows !== undefined) return emptyRows;
        empty ??= Promise.resolve(runOf(p.plan, now).end()).then((n) => (emptyRows = n));
        return empty;
      },
    },
  };
}

/** Every detection of the content, prepared for scanning or told why not. */
export function scanDetections(
  content: ScanContent,
  opts: {
    /** Epoch seconds of the searches (`now()`, relative times); default: the clock. */
    now?: number;
    /** Per detection file: the compiled predicates of its first command (generated matchers), else the interpreter. */
    compiledPredicateFor?: (file: string) => CompiledPredicateHook | undefined;
    /** The context to prepare in (default scanContext(content)). */
    ctx?: ContentContext;
    /** Events a search that reads them more than once keeps per log (@dac/search OpenSearchOptions.keptEvents). */
    keptEvents?: number;
  } = {},
): { detections: ScanDetection[]; notScanned: NotScanned[] } {
  const ctx = opts.ctx ?? scanContext(content);
  const now = opts.now ?? Date.now() / 1000;
  const detections: ScanDetection[] = [];
  const notScanned: NotScanned[] = [];
  for (const entry of content.detections) {
    const r = scanDetectionOf(ctx, entry, now, opts.compiledPredicateFor?.(entry.file), opts.keptEvents);
    if ('detection' in r) detections.push(r.detection);
    else notScanned.push(r.notScanned);
  }
  return { detections, notScanned };
}
