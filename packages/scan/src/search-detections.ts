/**
 * ScanDetections from the content tree, through @dac/search directly: each detection's search is
 * parsed with the content's macros, prepared with the content's CSV lookups and the CIM data sets
 * of @dac/normalise, and run over the events the scan pushes (an async channel into `run`).
 *
 * INTERIM: @dac/replay's prepared-detection API (branch `integrate`) replaces this module when it
 * is on main; the scan depends only on the `ScanDetection` shape (./types.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { filterMacroName, type ContentTree, type DetectionData } from '@dac/content';
import { defaultDataModels, type SplunkEvent } from '@dac/normalise';
import {
  lookupProvider,
  lookupTableFromCsv,
  prepareSearch,
  run,
  type DataModelProvider,
  type Event,
  type LookupTable,
  type Row,
} from '@dac/search';
import { contentMacroTable, parseSearch, type Pipeline, type SearchExpr } from '@dac/spl';
import type { IndexKeys, NotScanned, ScanDetection } from './types.js';

/** The CSV lookups of the content (`lookups/*.yml` naming a `.csv` beside it); KV-store collections are unavailable. */
function contentLookups(tree: ContentTree) {
  const tables: (LookupTable & { filename?: string })[] = [];
  const unavailable = new Map<string, string>();
  for (const item of tree.lookups) {
    const d = item.data;
    if (!d?.name) continue;
    if (d.collection) unavailable.set(d.name, 'is a KV store collection of a Splunk instance');
    else if (typeof d.filename === 'string' && d.filename.endsWith('.csv')) {
      const csv = join(dirname(item.file.path), d.filename);
      if (!existsSync(csv)) {
        unavailable.set(d.name, `its file ${d.filename} is missing`);
        continue;
      }
      const t = lookupTableFromCsv(d as never, readFileSync(csv, 'utf8'));
      if ('error' in t) unavailable.set(d.name, t.error);
      else tables.push({ ...t, filename: d.filename });
    } else if (d.filename) unavailable.set(d.name, `is ${d.filename}, not a CSV lookup`);
  }
  return lookupProvider(tables, unavailable);
}

/** tstats data sets over the scan's (fully extracted) events, by the CIM constraints of @dac/normalise. */
function cimDataSets(): DataModelProvider {
  const models = defaultDataModels();
  // Many detections read one data set: an event's rows are computed once per data set (the
  // scan pushes one event object to all of them). tstats only reads the rows it is given.
  const memos = new WeakMap<Event, Map<string, Row[]>>();
  const rowsOf = (ev: Event, path: string): Row[] => {
    let memo = memos.get(ev);
    if (!memo) memos.set(ev, (memo = new Map()));
    let rows = memo.get(path);
    if (!rows) memo.set(path, (rows = models.rows(ev as SplunkEvent, path) as Row[]));
    return rows;
  };
  return {
    dataset(req) {
      const target = req.path.length > 0 ? `${req.model}.${req.path.join('.')}` : req.model;
      const info = models.resolve(target);
      if (!info) return { error: `no data set ${target} in the CIM data models` };
      return {
        name: info.path,
        rows: function* (events) {
          const src = typeof events === 'function' ? events() : events;
          for (const ev of src as Iterable<Event>) for (const row of rowsOf(ev, info.path)) yield row;
        },
      };
    },
  };
}

type Clause = { field: string; value: string }[];

/** Necessary clauses of a search expression: each an OR of field=value every match satisfies. */
function necessary(e: SearchExpr | undefined, depth = 0): Clause[] {
  if (!e || depth > 200) return [];
  switch (e.kind) {
    case 'compare':
      return e.op === '=' && !e.value.caseSensitive ? [[{ field: e.field, value: e.value.value }]] : [];
    case 'in':
      return e.values.length > 0 ? [e.values.map((v) => ({ field: e.field, value: v.value }))] : [];
    case 'and':
      return e.args.flatMap((a) => necessary(a, depth + 1));
    case 'or': {
      const parts = e.args.map((a) => necessary(a, depth + 1));
      if (parts.some((p) => p.length === 0)) return [];
      return [parts.flatMap((p) => p.find((c) => c.every((x) => x.field === 'EventCode')) ?? p[0]!)];
    }
    default:
      return [];
  }
}

/** The index keys of a base search: single-field clauses become dimensions. */
export function keysOfSearch(expr: SearchExpr | undefined): IndexKeys {
  const keys: {
    sourcetypes?: string[];
    sources?: string[];
    eventtypes?: string[];
    terms: { field: string; values: string[] }[];
  } = { terms: [] };
  for (const c of necessary(expr)) {
    const fields = new Set(c.map((x) => x.field));
    if (fields.size !== 1) continue;
    const field = c[0]!.field;
    const values = c.map((x) => x.value);
    if (field === 'sourcetype') keys.sourcetypes = values;
    else if (field === 'source') keys.sources = values;
    else if (field === 'eventtype') keys.eventtypes = values;
    else keys.terms.push({ field, values });
  }
  return keys;
}

function techniquesOf(data: DetectionData): string[] {
  const ids = (data.tags as { mitre_attack_id?: unknown } | undefined)?.mitre_attack_id;
  return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * One run of the search over the events pushed to it. INTERIM: the events (only those the index
 * routes to this detection in one log file) are kept and run through `run` at the end, as a
 * synchronous source (an async source costs a promise per event per detection); the replay
 * prepared-detection API streams instead.
 */
function bufferedRun(plan: Parameters<typeof run>[0]) {
  const events: Event[] = [];
  return {
    push(e: SplunkEvent) {
      events.push(e as Event);
    },
    async end() {
      let n = 0;
      for await (const _ of run(plan, events)) n++;
      return n;
    },
  };
}

/** Every detection of the tree, prepared for scanning or told why not. */
export function searchScanDetections(tree: ContentTree): { detections: ScanDetection[]; notScanned: NotScanned[] } {
  const macros = contentMacroTable(tree.macros);
  const lookups = contentLookups(tree);
  const dataModels = cimDataSets();
  const detections: ScanDetection[] = [];
  const notScanned: NotScanned[] = [];
  for (const item of tree.detections) {
    const data = item.data;
    const file = item.file.relPath;
    const name = typeof data?.name === 'string' ? data.name : file;
    const techniques = data ? techniquesOf(data) : [];
    const skip = (reason: string) => notScanned.push({ file, name, techniques, reason });
    if (!data || typeof data.search !== 'string') {
      skip('detection has no search');
      continue;
    }
    const parsed = parseSearch(data.search, macros, { filterMacro: filterMacroName(name) });
    const err = parsed.diagnostics.find((d) => d.severity === 'error');
    if (err) {
      skip(`search does not parse: ${err.message}`);
      continue;
    }
    const r = prepareSearch(parsed.pipeline, { lookups, dataModels, now: Date.now() / 1000 });
    if (!r.ok) {
      skip(r.notReplayable.reason);
      continue;
    }
    const plan = r.plan;
    detections.push({
      file,
      id: typeof data.id === 'string' ? data.id : file,
      name,
      techniques,
      keys: pipelineKeys(parsed.pipeline),
      open: () => bufferedRun(plan),
    });
  }
  return { detections, notScanned };
}

function pipelineKeys(p: Pipeline): IndexKeys {
  const first = p.commands[0];
  if (first?.kind === 'search') return keysOfSearch(first.expr);
  if (first?.kind === 'tstats' && first.datamodel) {
    const target = [first.datamodel.model, ...first.datamodel.dataset].join('.');
    const info = defaultDataModels().resolve(target);
    return info ? { dataSets: [info.path] } : {};
  }
  return {};
}
