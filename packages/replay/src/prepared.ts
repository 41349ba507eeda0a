/**
 * Prepared detections: the one way `dac replay`, `dac test`, `dac plan` and `dac scan` run a
 * detection offline.
 *
 * `prepareDetection(detection, context)` parses the search with the content's macros, prepares
 * it with @dac/search (the content's lookups, the CIM data sets of @dac/normalise), and gives
 * either `{ replayable: false, reason }` — the first command or feature the engine cannot run,
 * by name — or a prepared detection that can be opened as a push sink: `open()` →
 * `{ push(event), end() → rows }`. Events are pushed already read and extracted (Splunk's
 * default fields and the add-ons' search-time fields: `extractEvent`), so one event read from a
 * log can be pushed into many detections. A leading `| tstats … from datamodel=X[.Y]` turns each
 * pushed event into its rows of that data set (root or child, `nodename=`), as the data model's
 * own constraints and calculations decide (`@dac/normalise` data-model provider).
 *
 * `index` says which events can matter to the detection (data sets; necessary equality terms
 * such as `source=…` / `EventCode=4688`), so a caller can skip pushing the others.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { filterMacroName, type ContentTree, type DetectionData } from '@dac/content';
import {
  defaultAddonEngine,
  defaultDataModels,
  type AddonEngine,
  type DataModelProvider as CimDataModels,
  type RawEvent,
  type SplunkEvent,
  type StreamMeta,
} from '@dac/normalise';
import {
  openSearch,
  prepareSearch,
  toSplunkRow,
  lookupTableFromCsv,
  type CompiledPredicateHook,
  type DataModelProvider,
  type Event,
  type LookupDefinition,
  type LookupProvider,
  type LookupTable,
  type Row as SearchRow,
  type RunWarning,
  type SearchPlan,
} from '@dac/search';
import { contentMacroTable, parseSearch, type MacroTable, type Pipeline } from '@dac/spl';

/** A result row as Splunk prints it: column → string, multivalue as a list. */
export type Row = Record<string, string | string[]>;

/** What a detection's search can use besides its own text. */
export interface ContentContext {
  /** The content's macros over the CIM built-ins (`contentMacroTable`). */
  macros: MacroTable;
  /** The content's `lookups/*.yml` with their CSV files (read when a search first uses one). */
  lookups: LookupProvider;
  /** CIM data sets: membership and rows of an extracted event. */
  dataModels: CimDataModels;
  /** The add-on knowledge that extracts events (`extractEvent`). */
  addons: AddonEngine;
}

/**
 * Lookups of a content tree: a CSV lookup by definition name or file name, read on first use
 * (`lookupTableFromCsv`: the YAML's case_sensitive_match, match_type, min/max_matches,
 * default_match); KV store collections, ML models and missing files are "unavailable" with the
 * reason, so a search using one is reported not replayable by name.
 */
export function contentLookups(tree: {
  // What is read of each lookup item (a ContentItem, or the plain copy a scan worker is sent).
  readonly lookups: readonly { readonly file: { readonly path: string }; readonly data: unknown }[];
}): LookupProvider {
  const defs = new Map<string, { def: LookupDefinition & { collection?: string }; dir: string }>();
  for (const item of tree.lookups) {
    const d = item.data as (LookupDefinition & { collection?: string }) | undefined;
    if (!d || typeof d.name !== 'string') continue;
    const entry = { def: d, dir: dirname(item.file.path) };
    defs.set(d.name, entry);
    if (typeof d.filename === 'string') defs.set(d.filename, entry);
  }
  const loaded = new Map<string, LookupTable | { unavailable: string }>();
  const load = (entry: { def: LookupDefinition & { collection?: string }; dir: string }) => {
    const { def, dir } = entry;
    if (def.collection) return { unavailable: `is the KV store collection ${def.collection} of a Splunk instance` };
    const file = typeof def.filename === 'string' ? def.filename : undefined;
    if (!file) return { unavailable: 'has no filename (not a CSV lookup)' };
    if (!/\.csv$/i.test(file)) return { unavailable: `is ${file}, not a CSV lookup` };
    const path = join(dir, file);
    if (!existsSync(path)) return { unavailable: `names ${file}, which is not in lookups/` };
    const t = lookupTableFromCsv(def, readFileSync(path, 'utf8'));
    return 'error' in t ? { unavailable: t.error } : t;
  };
  return {
    lookup(name) {
      const entry = defs.get(name) ?? defs.get(name.replace(/\.csv$/i, ''));
      if (!entry) return undefined;
      let t = loaded.get(entry.def.name);
      if (!t) {
        t = load(entry);
        loaded.set(entry.def.name, t);
      }
      return t;
    },
  };
}

/** The context of a content tree: its macros and lookups, the CIM 4.20 data sets, the default add-on knowledge. */
export function contentContext(tree: Pick<ContentTree, 'macros' | 'lookups'>): ContentContext {
  return {
    macros: contentMacroTable(tree.macros),
    lookups: contentLookups(tree),
    dataModels: defaultDataModels(),
    addons: defaultAddonEngine(),
  };
}

/** A detection that cannot run offline, and why (the first unsupported command or feature, by name). */
export interface NotReplayable {
  replayable: false;
  file: string;
  name: string;
  reason: string;
  /** The command that blocks it, when one does. */
  command?: string;
}

/** One run of a prepared detection: push extracted events, then end. */
export interface DetectionRun {
  /** Whether events run as they are pushed (false: the search reads them twice and runs at `end`). */
  readonly streaming: boolean;
  push(event: SplunkEvent): void;
  /**
   * The rows, the warnings met, and for a leading tstats the number of pushed events that had
   * rows in its data set (counted per prepared detection: runs of one detection that interleave
   * share the count).
   */
  end(): Promise<{ rows: Row[]; warnings: RunWarning[]; inDataSet?: number }>;
}

export interface PreparedDetection {
  replayable: true;
  /** Content-relative file. */
  file: string;
  name: string;
  /** The macro-expanded search. */
  search: string;
  /** `search` parsed: the pipeline the plan was prepared from (spans into `search`). */
  pipeline: Pipeline;
  /** `tags.observable[].name`: the fields the pass rule of `dac test` requires. */
  observables: string[];
  /** tstats `fillnull_value` (ESCU: `null`), the placeholder the pass rule does not count as a value. */
  fillnull?: string;
  /** Set for a leading tstats: the data set it reads. */
  dataSet?: string;
  /**
   * The event fields the search reads, for `extractEvent` (a stable set: pass this object);
   * undefined = every field.
   */
  wanted: ReadonlySet<string> | undefined;
  plan: SearchPlan;
  open(options?: { now?: number }): Promise<DetectionRun>;
}

export type DetectionPlan = PreparedDetection | NotReplayable;

/** A detection as the content holds it. */
export interface DetectionInput {
  /** Content-relative file. */
  file: string;
  data: Pick<DetectionData, 'name' | 'search'> & { tags?: DetectionData['tags'] };
}

export interface PrepareDetectionOptions {
  /** Epoch seconds of the search (`now()`, `relative_time`); default: the clock when a run opens. */
  now?: number;
  /**
   * Compiled predicates for the base search / tstats WHERE (the generated typed matchers:
   * @dac/matchers `compiledPredicateHook`); without it the engine's interpreter runs.
   */
  compiledPredicate?: CompiledPredicateHook;
}

/** The data sets of the search engine's tstats, over the CIM provider of @dac/normalise. */
export function searchDataModels(dm: CimDataModels, onRows?: (n: number) => void): DataModelProvider {
  return {
    dataset(req) {
      const candidates =
        req.path.length > 0
          ? [`${req.model}.${req.path.join('.')}`]
          : [...(req.fieldPrefixes[0] ? [`${req.model}.${req.fieldPrefixes[0]}`] : []), req.model];
      const info = candidates.map((c) => dm.resolve(c)).find((x) => x !== undefined);
      if (!info) {
        const known = dm.dataSets().some((d) => d.model === req.model);
        return {
          error: known
            ? `data model ${req.model} has no data set ${req.path.join('.') || req.fieldPrefixes[0] || ''}`
            : `data model ${req.model} is not one of the CIM 4.20 models dac ships`,
        };
      }
      const path = info.path;
      const rowsOf = (ev: Event): SearchRow[] => {
        const rows = dm.rows(ev as SplunkEvent, path) as unknown as SearchRow[];
        if (rows.length > 0) onRows?.(1);
        return rows;
      };
      return {
        name: path,
        rowsOf,
        rows(events) {
          const src = typeof events === 'function' ? events() : events;
          if (Symbol.asyncIterator in src)
            return (async function* () {
              for await (const e of src as AsyncIterable<Event>) yield* rowsOf(e);
            })();
          return (function* () {
            for (const e of src as Iterable<Event>) yield* rowsOf(e);
          })();
        },
      };
    },
  };
}

/** Commands whose output rows hold only the fields they name (stats, table, …): what follows reads nothing else. */
const RESTRICTING = new Set(['stats', 'table', 'chart', 'timechart', 'top', 'rare']);
/** Commands before the restricting one that read only fields they name (a `*` in them is a value wildcard or a product). */
const NAMED_READS = new Set([
  'search',
  'where',
  'eval',
  'rex',
  'regex',
  'bin',
  'bucket',
  'lookup',
  'rename',
  'convert',
  'dedup',
  'sort',
  'head',
  'tail',
  'mvexpand',
  'makemv',
  'spath',
  'xmlkv',
  'fillnull',
  'replace',
  'eventstats',
  'streamstats',
  'fields',
  'strcat',
  'iplocation',
  'reverse',
]);

/**
 * The event fields a raw-event search can read, or undefined when it may read any (then every
 * field is extracted). Known only for the common shape: a base search, commands that read the
 * fields they name, then a command that keeps only the fields it names (`| stats … by …`,
 * `| table a b`), no subsearch (its rows' columns become search terms) and no field wildcard
 * before that command. The set is every name-like word of the search text up to there — a
 * superset of the fields it reads (command and function names included, harmless), so the
 * extraction runs only the add-on settings those fields need.
 */
export function rawSearchFields(pipeline: Pipeline, text: string): ReadonlySet<string> | undefined {
  const cmds = pipeline.commands;
  if (cmds[0]?.kind !== 'search') return undefined;
  const end = cmds.findIndex((c) => c.kind === 'command' && RESTRICTING.has(c.name));
  if (end < 0) return undefined;
  const upTo = cmds.slice(0, end + 1);
  const words = new Set<string>(['_time', '_raw', 'host', 'source', 'sourcetype', 'index', 'linecount', 'punct']);
  for (const c of upTo) {
    const span = c.spanOfCommand;
    const t = text.slice(span.start, span.end);
    if (/\[/.test(t.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) return undefined; // a subsearch
    if (c.kind === 'command') {
      if (!NAMED_READS.has(c.name) && c !== upTo[upTo.length - 1]) return undefined;
      const bare = t.replace(/"(?:[^"\\]|\\.)*"/g, '""');
      // A field wildcard (`values(*)`, `table a*`, `rename x* as *`): any field may be read.
      if (
        c.name !== 'eval' &&
        c.name !== 'where' &&
        c.name !== 'search' &&
        c.name !== 'regex' &&
        c.name !== 'rex' &&
        bare.includes('*')
      )
        return undefined;
      if (c.name === 'fillnull' && !/fillnull\s+(?:value=\S+\s+)?[A-Za-z_]/.test(t)) return undefined; // fillnull of every field
    }
    for (const m of t.matchAll(/[A-Za-z_@][A-Za-z0-9_.:{}@-]*/g)) words.add(m[0]);
    // Quoted names (`'Event Time'`, `"a b"`) as written.
    for (const m of t.matchAll(/'([^']+)'|"([^"]+)"/g)) words.add(m[1] ?? m[2]!);
  }
  return words;
}

/**
 * Prepares one detection with a content context. Never throws: a search that does not parse,
 * or uses a command, function, lookup or data set the engine cannot run offline, is
 * `{ replayable: false, reason }`.
 */
export function prepareDetection(
  det: DetectionInput,
  ctx: ContentContext,
  opts: PrepareDetectionOptions = {},
): DetectionPlan {
  const name = typeof det.data.name === 'string' ? det.data.name : det.file;
  const no = (reason: string, command?: string): NotReplayable => ({
    replayable: false,
    file: det.file,
    name,
    reason,
    ...(command ? { command } : {}),
  });
  if (typeof det.data.search !== 'string') return no('not replayable: the detection has no search');
  let parsed: ReturnType<typeof parseSearch>;
  try {
    parsed = parseSearch(det.data.search, ctx.macros, { filterMacro: filterMacroName(name) });
  } catch (e) {
    return no(`not replayable: the search does not parse: ${(e as Error).message}`);
  }
  const err = parsed.diagnostics.find((d) => d.severity === 'error');
  if (err) return no(`not replayable: the search does not parse: ${err.message}`);
  let inDataSet = 0;
  const dataModels = searchDataModels(ctx.dataModels, () => {
    inDataSet++;
  });
  const r = prepareSearch(parsed.pipeline, {
    lookups: ctx.lookups,
    dataModels,
    now: opts.now,
    compiledPredicate: opts.compiledPredicate,
  });
  if (!r.ok) return no(r.notReplayable.reason, r.notReplayable.command);
  const first = parsed.pipeline.commands[0];
  let dataSet: string | undefined;
  let wanted: ReadonlySet<string> | undefined;
  let fillnull: string | undefined;
  if (first?.kind === 'tstats') {
    if (first.datamodel) {
      const ds = dataModels.dataset({
        model: first.datamodel.model,
        path: first.datamodel.dataset,
        fieldPrefixes: [first.datamodel.dataset[0] ?? first.by[0]?.field.split('.')[0] ?? ''],
      });
      if (!('error' in ds)) dataSet = ds.name;
    }
    fillnull = first.options.fillnull_value?.value;
    if (dataSet) {
      // A data-set row reads the constraint's and calculations' fields and the data set's own.
      const info = ctx.dataModels.resolve(dataSet);
      const reads = ctx.dataModels.reads(dataSet);
      if (info && reads) wanted = new Set([...reads, ...info.fields, '_time', 'host', 'source', 'sourcetype', 'index']);
    }
  } else {
    wanted = rawSearchFields(parsed.pipeline, parsed.expanded);
  }
  const observables = Array.isArray(det.data.tags?.observable)
    ? det.data.tags.observable.map((o) => o?.name).filter((n): n is string => typeof n === 'string')
    : [];
  const plan = r.plan;
  return {
    replayable: true,
    file: det.file,
    name,
    search: parsed.expanded,
    pipeline: parsed.pipeline,
    observables,
    ...(fillnull !== undefined ? { fillnull } : {}),
    ...(dataSet ? { dataSet } : {}),
    wanted,
    plan,
    async open(o = {}) {
      const run = await openSearch(plan, { now: o.now ?? opts.now });
      const start = inDataSet;
      return {
        streaming: run.streaming,
        push: (e) => run.push(e as Event),
        async end() {
          const { rows, warnings } = await run.end();
          return {
            rows: rows.map(toSplunkRow),
            warnings,
            ...(dataSet ? { inDataSet: inDataSet - start } : {}),
          };
        },
      };
    },
  };
}

/** Prepares many detections with one context. */
export function prepareDetections(
  items: DetectionInput[],
  ctx: ContentContext,
  opts: PrepareDetectionOptions = {},
): Map<string, DetectionPlan> {
  return new Map(items.map((d) => [d.file, prepareDetection(d, ctx, opts)]));
}

/**
 * The event a search sees: Splunk's default fields (`_time _raw host source sourcetype index`,
 * …) and the add-ons' search-time fields, `eventtype` and `tag` (@dac/normalise). `wanted`
 * narrows the work to what a detection reads (`PreparedDetection.wanted`).
 */
export function extractEvent(
  ctx: Pick<ContentContext, 'addons'>,
  raw: RawEvent,
  meta: StreamMeta,
  wanted?: ReadonlySet<string>,
): SplunkEvent {
  return ctx.addons.extract(raw, meta, wanted);
}
