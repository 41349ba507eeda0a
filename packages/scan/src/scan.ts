/**
 * The scan driver: every log file read once, each event extracted once (projected on the fields
 * its candidate detections read) and pushed only to the detections the rule index routes it to.
 * Each detection runs once per log file (its stats state is per file, so memory is flat in the
 * size of the logs); a detection fires on a log when it gives rows there.
 */
import { defaultAddonEngine, type AddonEngine, type RawEvent } from '@dac/normalise';
import { formatFor, readFixture } from '@dac/replay';
import { sharedDataModels } from './detections.js';
import { type LogFile, sourcetypeOf } from './logs.js';
import { RuleIndex, type StreamRouting } from './rule-index.js';
import type { DetectionRun, LogReport, ScanDetection, ScanHit } from './types.js';

export interface FileScan {
  report: LogReport;
  hits: ScanHit[];
}

/** `f` remembered by argument (asked once per pass of every detection of every stream otherwise). */
function perDataSet<T>(f: (ds: string) => T): (ds: string) => T {
  const memo = new Map<string, T>();
  return (ds) => {
    if (memo.has(ds)) return memo.get(ds) as T;
    const v = f(ds);
    memo.set(ds, v);
    return v;
  };
}

/** The rule index over detections with the CIM data-set membership of @dac/normalise. */
export function scanIndex(detections: readonly ScanDetection[]): RuleIndex {
  const models = sharedDataModels();
  return new RuleIndex(detections, {
    inDataSet: (ev, ds) => models.contains(ev, ds),
    dataSetReads: perDataSet((ds) => {
      const r = models.reads(ds);
      return r && new Set([...r, 'tag', 'eventtype']);
    }),
    dataSetRows: (ev, ds) => models.rows(ev, ds),
    dataSetContainsReads: (ds) => models.containsReads?.(ds),
    // What a row needs (as @dac/replay's prepared tstats detections want it).
    dataSetWanted: perDataSet((ds) => {
      const info = models.resolve(ds);
      const r = models.reads(ds);
      return (
        info &&
        r &&
        new Set([...r, ...info.fields, '_time', 'host', 'source', 'sourcetype', 'index', 'tag', 'eventtype'])
      );
    }),
  });
}

/** What the candidates of an event read: the union of their fields, and whether the routing fields cover it. */
export interface Wanted {
  fields: ReadonlySet<string> | undefined;
  /** The routing extraction already holds every field the candidates read. */
  covered: boolean;
}

/** A candidate set's hash (FNV-1a over the indexes): cheaper per event than joining them into a string key. */
function candidatesHash(cands: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const i of cands) h = Math.imul(h ^ i, 0x01000193);
  return h ^ cands.length;
}

function sameCandidates(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * Unions of candidate detections' fields, cached by candidate set (events of a kind share one).
 * Keyed by hash; a bucket holds every set with that hash, compared element-wise, so a collision
 * costs a comparison, never a wrong answer.
 */
export class WantedCache {
  private readonly cache = new Map<number, { cands: number[]; wanted: Wanted }[]>();
  constructor(
    private readonly detections: readonly ScanDetection[],
    private readonly routing: ReadonlySet<string> | undefined,
  ) {}
  get(cands: readonly number[]): Wanted {
    const key = candidatesHash(cands);
    let bucket = this.cache.get(key);
    if (bucket) for (const e of bucket) if (sameCandidates(e.cands, cands)) return e.wanted;
    if (!bucket) this.cache.set(key, (bucket = []));
    const w = this.union(cands);
    bucket.push({ cands: [...cands], wanted: w });
    return w;
  }
  private union(cands: readonly number[]): Wanted {
    const routing = this.routing;
    if (!routing) return { fields: undefined, covered: true };
    // Usually the routing fields hold every candidate's (checked once per detection): then the
    // union is the routing fields themselves, without copying them.
    if (cands.every((i) => this.coveredByRouting(i))) return { fields: routing, covered: true };
    let out: Set<string> | undefined = new Set(routing);
    for (const i of cands) {
      const f = this.detections[i]!.fields;
      if (!f) {
        out = undefined;
        break;
      }
      for (const x of f) out.add(x);
    }
    return { fields: out, covered: false };
  }

  private readonly covered: (boolean | undefined)[] = [];
  /** Whether the routing fields hold every field detection `i` reads. */
  private coveredByRouting(i: number): boolean {
    let c = this.covered[i];
    if (c === undefined) {
      const f = this.detections[i]!.fields;
      c = this.covered[i] = f !== undefined && [...f].every((x) => this.routing!.has(x));
    }
    return c;
  }
}

/**
 * Per stream routing (of an index, which outlives the files of a scan): its candidate sets'
 * wanted fields, which depend only on the set and the routing fields, so every file shares them.
 */
const wantedCaches = new WeakMap<StreamRouting, WantedCache>();

/**
 * Scans one log file with every detection of the index. Never throws for bad content: an
 * unreadable file or one whose format cannot be told is a report with `error`; a detection that
 * fails on an event is dropped for the rest of the file and counted in `report.error`.
 */
export async function scanFile(
  index: RuleIndex,
  file: LogFile,
  engine: AddonEngine = defaultAddonEngine(),
): Promise<FileScan> {
  const t0 = performance.now();
  const detections = index.detections;
  const base: LogReport = { log: file.log, events: 0, malformed: 0, skipped: 0, fired: [], seconds: 0 };
  const st = sourcetypeOf(file.path);
  if ('error' in st) return { report: { ...base, error: st.error }, hits: [] };
  const fmt = formatFor(st.sourcetype);
  if ('error' in fmt) return { report: { ...base, error: fmt.error }, hits: [] };
  const sourcetype = fmt.sourcetype;
  // Per detection index: its run on this file (opened by the first event it accepts), or why it failed.
  const runs: (DetectionRun | undefined)[] = new Array(detections.length);
  const failed: (string | undefined)[] = new Array(detections.length);
  let failures = 0;
  let firstFailed = -1;
  const fail = (i: number, e: unknown) => {
    failed[i] = (e as Error)?.message ?? String(e);
    if (failures++ === 0) firstFailed = i;
  };
  let lastSource = '';
  let routing: StreamRouting | undefined;
  let cache: WantedCache | undefined;
  const onRaw = (raw: RawEvent) => {
    const source = fmt.sourceOf(raw.fields);
    if (source !== lastSource || !routing) {
      lastSource = source;
      routing = index.stream(sourcetype, source);
      cache = wantedCaches.get(routing);
      if (!cache) wantedCaches.set(routing, (cache = new WantedCache(detections, routing.fields)));
    }
    if (routing.eligible.length === 0) return;
    const meta = { sourcetype, source, host: fmt.hostOf(raw.fields) };
    const extractor = engine.extractor(sourcetype, source);
    const keyEvent = extractor.extract(raw, meta, routing.fields);
    const cands = routing.candidates(keyEvent);
    if (cands.length === 0) return;
    const want = cache!.get(cands);
    // The candidates' fields: the routing extraction continued (only the add-on steps it left
    // out run). In place: what the routing read of it (data-set rows, remembered per event object
    // by sharedRows) depends only on the routing fields, which the continuation does not change.
    const event = want.covered ? keyEvent : extractor.extend(keyEvent, raw, meta, routing.fields, want.fields);
    for (const i of cands) {
      if (failed[i] !== undefined) continue;
      const d = detections[i]!;
      try {
        if (d.accepts && !d.accepts(event)) continue;
        let r = runs[i];
        if (!r) runs[i] = r = d.open();
        r.push(event);
      } catch (e) {
        fail(i, e);
      }
    }
  };
  const report: LogReport = { ...base, sourcetype };
  try {
    const r = await readFixture(file.path, fmt, onRaw, { maxIssues: 0 });
    report.events = r.events;
    report.malformed = r.malformed;
    report.skipped = r.skipped;
    if (r.error) report.error = `stopped reading: ${r.error.message}`;
  } catch (e) {
    report.error = `cannot read: ${(e as Error).message}`;
  }
  const hits: ScanHit[] = [];
  for (let i = 0; i < detections.length; i++) {
    if (failed[i] !== undefined) continue;
    const r = runs[i];
    let rows = 0;
    try {
      // A detection no event reached still runs on the log, over nothing (as Splunk's would).
      const n = r ? r.end() : detections[i]!.rowsOnNoEvents();
      rows = typeof n === 'number' ? n : await n;
    } catch (e) {
      fail(i, e);
      continue;
    }
    if (rows > 0) {
      const d = detections[i]!;
      const unconditional = (r ? await d.rowsOnNoEvents() : rows) > 0;
      hits.push({
        id: d.id,
        detection: d.file,
        name: d.name,
        log: file.log,
        rows,
        ...(unconditional ? { unconditional } : {}),
      });
      if (!unconditional) report.fired.push(d.file);
    }
  }
  if (failures > 0) {
    const i = firstFailed;
    const note = `${failures} detection(s) failed on this log, e.g. ${detections[i]!.file}: ${failed[i]}`;
    report.error = report.error ? `${report.error}; ${note}` : note;
  }
  report.seconds = (performance.now() - t0) / 1000;
  return { report, hits };
}
