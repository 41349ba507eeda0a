/**
 * ScanDetections from the content tree through @dac/replay's prepared-detection API (the one way
 * dac runs a detection offline): `prepareDetection` gives a prepared detection (its index keys,
 * the fields it reads, `open()` → push/end) or the reason it cannot be replayed.
 */
import type { DetectionData } from '@dac/content';
import { defaultAddonEngine, defaultDataModels, type DataModelProvider, type SplunkEvent } from '@dac/normalise';
import { pushFilter, readsEventsOnce } from '@dac/search';
import {
  contentLookups,
  prepareDetection,
  type ContentContext,
  type IndexKeys as ReplayKeys,
  type PreparedDetection,
} from '@dac/replay';
import { searchMacroTable } from '@dac/spl';
import type { ScanContent } from './content.js';
import type { CompiledPredicateHook } from '@dac/search';
import type { DetectionRun, IndexKeys, NotScanned, ScanDetection } from './types.js';

/**
 * The scan's index keys of a prepared detection. Base searches: the stream clause (an OR over
 * sourcetype / source / eventtype of the base macro) and the one-field equality clauses
 * (`EventCode`). Leading tstats: the data set (its where-clause terms are about data-set rows,
 * not event fields, so they are left to the search).
 */
export function scanKeysOf(k: ReplayKeys, dm: DataModelProvider = sharedDataModels()): IndexKeys {
  if (k.on === 'rows') {
    if (k.dataSets.length === 0) return {};
    if (k.dataSets.length !== 1) return { dataSets: k.dataSets };
    // Only fields a row of the data set has (never `nodename`, which selects a child data set).
    const own = new Set([...(dm.resolve(k.dataSets[0]!)?.fields ?? []), ...ROW_BUILTINS]);
    const rowTerms = Object.entries(k.equals)
      .filter(([field]) => own.has(field))
      .map(([field, values]) => ({ field, values }));
    const anyOf = multiField(k).filter((cl) => cl.every((t) => own.has(t.field)));
    return {
      dataSets: k.dataSets,
      ...(rowTerms.length > 0 ? { rowTerms } : {}),
      ...(anyOf.length > 0 ? { anyOf } : {}),
    };
  }
  const anyOf = multiField(k).filter((cl) => cl.every((t) => !STREAM_FIELDS.has(t.field)));
  const out: {
    streams?: IndexKeys['streams'];
    eventtypes?: string[];
    terms: { field: string; values: string[] }[];
    anyOf?: IndexKeys['anyOf'];
  } = {
    terms: Object.entries(k.equals).map(([field, values]) => ({ field, values })),
    ...(anyOf.length > 0 ? { anyOf } : {}),
  };
  const s = k.streams;
  if (s) {
    // An eventtype in the stream clause is known only per event: a one-field clause is checked
    // per event; a mixed clause with eventtype constrains nothing at the stream level.
    if (s.eventtype && !s.source && !s.sourcetype) out.eventtypes = s.eventtype;
    else if (!s.eventtype) out.streams = { sourcetype: s.sourcetype, source: s.source };
  }
  return out;
}

/** Fields the stream clause and the per-event eventtype check cover (not hashed as terms). */
const STREAM_FIELDS = new Set(['sourcetype', 'source', 'eventtype']);

/** The necessary clauses of `k` that are disjunctions over more than one field. */
function multiField(k: ReplayKeys): { field: string; value: string }[][] {
  return k.requires
    .filter((cl) => cl.some((t) => t.field !== cl[0]!.field))
    .map((cl) => cl.map((t) => ({ field: t.field, value: t.value })));
}

function techniquesOf(data: DetectionData): string[] {
  const ids = (data.tags as { mitre_attack_id?: unknown } | undefined)?.mitre_attack_id;
  return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
}

/** A run that takes events at once while the prepared detection's `open()` resolves. */
function runOf(p: PreparedDetection, now: number): DetectionRun {
  let run: Awaited<ReturnType<PreparedDetection['open']>> | undefined;
  const early: Parameters<DetectionRun['push']>[0][] = [];
  const opening = p.open({ now }).then((r) => {
    run = r;
    for (const e of early) r.push(e);
    early.length = 0;
    return r;
  });
  opening.catch(() => {});
  return {
    push(e) {
      if (run) run.push(e);
      else early.push(e);
    },
    async end() {
      const r = await opening;
      return (await r.end()).rows.length;
    },
  };
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

/** Fields every data-set row carries besides the data set's own (@dac/normalise datamodels.ts BUILTINS). */
const ROW_BUILTINS = ['_time', 'host', 'source', 'sourcetype', 'index'];

let shared: DataModelProvider | undefined;
/** The CIM data sets of @dac/normalise with rows shared per event (one instance per thread). */
export function sharedDataModels(): DataModelProvider {
  shared ??= sharedRows(defaultDataModels());
  return shared;
}

/** The context the detections are prepared in (replay's contentContext, from plain content). */
function scanContext(content: ScanContent): ContentContext {
  return {
    macros: searchMacroTable(content.macros),
    lookups: contentLookups(content),
    dataModels: sharedDataModels(),
    addons: defaultAddonEngine(),
  };
}

/** Every detection of the content, prepared for scanning or told why not. */
export function scanDetections(
  content: ScanContent,
  opts: {
    now?: number;
    /** Per detection file: the compiled predicates of its first command (generated matchers), else the interpreter. */
    compiledPredicateFor?: (file: string) => CompiledPredicateHook | undefined;
  } = {},
): { detections: ScanDetection[]; notScanned: NotScanned[] } {
  const ctx = scanContext(content);
  const now = opts.now ?? Date.now() / 1000;
  const detections: ScanDetection[] = [];
  const notScanned: NotScanned[] = [];
  for (const { file, data } of content.detections) {
    const name = typeof data?.name === 'string' ? data.name : file;
    const techniques = data ? techniquesOf(data) : [];
    if (!data) {
      notScanned.push({ file, name, techniques, reason: 'the detection file does not read as a mapping' });
      continue;
    }
    const p = prepareDetection({ file, data }, ctx, { now, compiledPredicate: opts.compiledPredicateFor?.(file) });
    if (!p.replayable) {
      notScanned.push({ file, name, techniques, reason: p.reason });
      continue;
    }
    let empty: Promise<number> | undefined;
    let emptyRows: number | undefined;
    const accepts = pushFilter(p.plan);
    detections.push({
      file,
      id: typeof data.id === 'string' ? data.id : file,
      name,
      techniques,
      // A subsearch (or join/append) over the events reads the log's events too, not only those
      // the base search keys select: such a detection gets every event. An event-free subsearch
      // (`[| inputlookup …]`) reads none: the first command's keys still hold.
      keys: p.search.includes('[') && !readsEventsOnce(p.plan) ? {} : scanKeysOf(p.index),
      fields: p.wanted,
      ...(accepts ? { accepts: accepts as (e: SplunkEvent) => boolean } : {}),
      open: () => runOf(p, now),
      // Asked on every log the detection is not run on: the count itself once known (no await).
      rowsOnNoEvents: () => {
        if (emptyRows !== undefined) return emptyRows;
        empty ??= Promise.resolve(runOf(p, now).end()).then((n) => (emptyRows = n));
        return empty;
      },
    });
  }
  return { detections, notScanned };
}
