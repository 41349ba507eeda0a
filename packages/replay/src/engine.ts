import { filterMacroName, type ContentTree, type DetectionData } from '@dac/content';
import { loadDataModels } from '@dac/cim';
import { compileMatchers, matcherCacheDir, type CompiledMatcher } from '@dac/matchers';
import {
  createNormaliser,
  specsFromDataSources,
  type CimEvent,
  type DataSourceLike,
  type Normaliser,
  type RawEvent,
} from '@dac/normalise';
import { contentMacroTable, findTstats, parseSearch, type SearchExpr } from '@dac/spl';
import { compilePostPipeline, type RowOp } from './post.js';
import { formatFor, parseEventXml, readFixture, type ReadIssue, type ReadResult } from './readers/index.js';
import { checkAggregationPlan, TstatsAggregator, type Row } from './tstats.js';

/** A detection ready to replay: its generated matcher, normaliser and post-pipeline. */
export interface PreparedDetection {
  name: string;
  /** Content-relative file. */
  file: string;
  matcher: CompiledMatcher;
  /** `Endpoint.Processes`. */
  dataSet: string;
  normaliser: Normaliser;
  post: RowOp;
  observables: string[];
  /**
   * The CIM fields the where-clause reads (event keys), or undefined when it reads something
   * else (a bare term searches `_raw`). Lets the replay normalise only these fields before the
   * match and the rest only for matching events.
   */
  whereFields?: ReadonlySet<string>;
}

/** The fields a search expression compares; undefined if it has a bare term (a `_raw` search). */
export function searchFields(expr: SearchExpr | undefined, key: (written: string) => string): Set<string> | undefined {
  const out = new Set<string>();
  const walk = (e: SearchExpr): boolean => {
    switch (e.kind) {
      case 'and':
      case 'or':
        return e.args.every(walk);
      case 'not':
        return walk(e.arg);
      case 'compare':
      case 'in':
        out.add(key(e.field));
        return true;
      case 'subsearch':
        return true;
      default:
        return false;
    }
  };
  return !expr || walk(expr) ? out : undefined;
}

export interface NotReplayable {
  name: string;
  file: string;
  error: string;
}

export interface PrepareOptions {
  /** Matcher cache directory (the CLI passes defaultCacheDir(root); absent: in-process cache only). */
  cacheDir?: string;
  /** Type-check generated matchers (default true). */
  typecheck?: boolean;
}

/**
 * Parses each detection's search, checks that its pipeline is replayable (a leading tstats over a
 * root data set, then only replayable commands), and compiles the GENERATED matchers of all of
 * them in one batch (@dac/matchers).
 */
export async function prepareDetections(
  tree: ContentTree,
  items: { file: string; data: DetectionData }[],
  opts: PrepareOptions = {},
): Promise<Map<string, PreparedDetection | NotReplayable>> {
  const out = new Map<string, PreparedDetection | NotReplayable>();
  const macros = contentMacroTable(tree.macros);
  const { specs, problems } = specsFromDataSources(
    tree.dataSources.flatMap((d) => (d.data ? [d.data as unknown as DataSourceLike] : [])),
  );
  const pending: {
    file: string;
    name: string;
    tstats: NonNullable<ReturnType<typeof findTstats>>;
    post: RowOp;
    observables: string[];
  }[] = [];
  for (const { file, data } of items) {
    const name = typeof data.name === 'string' ? data.name : file;
    const fail = (error: string) => out.set(file, { name, file, error });
    if (typeof data.search !== 'string') {
      fail('detection has no search');
      continue;
    }
    const parsed = parseSearch(data.search, macros, { filterMacro: filterMacroName(name) });
    const err = parsed.diagnostics.find((d) => d.severity === 'error');
    if (err) {
      fail(`search does not parse: ${err.message}`);
      continue;
    }
    const tstats = findTstats(parsed.pipeline);
    if (!tstats) {
      fail('not replayable: the search does not start with | tstats (only tstats searches are replayed)');
      continue;
    }
    if (!tstats.datamodel) {
      fail('not replayable: tstats without from datamodel=…');
      continue;
    }
    if (tstats.datamodel.dataset.length !== 1) {
      fail(`not replayable: child data set ${tstats.datamodel.dataset.join('.')} (root data sets only)`);
      continue;
    }
    const post = compilePostPipeline(parsed.pipeline.commands.slice(1));
    if ('error' in post) {
      fail(`not replayable: ${post.error}`);
      continue;
    }
    const observables = Array.isArray(data.tags?.observable)
      ? data.tags.observable.map((o) => o?.name).filter((n): n is string => typeof n === 'string')
      : [];
    pending.push({ file, name, tstats, post: post.run, observables });
  }
  if (pending.length === 0) return out;
  const models = loadDataModels();
  const compiled = await compileMatchers(
    pending.map((p) => ({ id: p.file, tstats: p.tstats })),
    models,
    { cacheDir: opts.cacheDir, typecheck: opts.typecheck },
  );
  for (const p of pending) {
    const m = compiled.matchers.get(p.file);
    if (!m) {
      const d = (compiled.diagnostics.get(p.file) ?? []).find((x) => x.severity === 'error');
      out.set(p.file, {
        name: p.name,
        file: p.file,
        error: `matcher not generated: ${d?.message ?? 'unknown reason'}`,
      });
      continue;
    }
    const planProblem = checkAggregationPlan(m.plan);
    if (planProblem) {
      out.set(p.file, { name: p.name, file: p.file, error: `not replayable: ${planProblem}` });
      continue;
    }
    const dataSet = `${m.plan.model}.${m.plan.dataset[0]}`;
    const normaliser = createNormaliser(specs, dataSet);
    normaliser.problems.unshift(...problems);
    const whereFields = searchFields(p.tstats.where, m.plan.eventKey);
    out.set(p.file, {
      name: p.name,
      file: p.file,
      matcher: m,
      dataSet,
      normaliser,
      post: p.post,
      observables: p.observables,
      whereFields,
    });
  }
  return out;
}

/** One fixture file to replay, with the Splunk metadata of its `attack_data` entry. */
export interface ReplayInput {
  path: string;
  sourcetype: string;
  /** Splunk source; absent: per event, as the Windows input would set it (`XmlWinEventLog:<Channel>`). */
  source?: string;
}

export interface FileStats {
  path: string;
  fileBytes: number;
  bytes: number;
  lines: number;
  gzip: boolean;
  events: number;
  malformed: number;
  skipped: number;
  issues: ReadIssue[];
  /** `evtx` / `zip` for binary and archive logs, with the EVTX counts (readFixture). */
  container?: ReadResult['container'];
  evtx?: ReadResult['evtx'];
  /** Set when the file could not be read at all (missing, unsupported sourcetype). */
  error?: string;
}

export interface ReplayStats {
  files: FileStats[];
  eventsRead: number;
  malformed: number;
  skipped: number;
  /** Events some normaliser put into the detection's data set. */
  inDataSet: number;
  matched: number;
  /** Matched events dropped by tstats because a BY field was null (no fillnull_value). */
  droppedNull: number;
  rows: number;
  bytes: number;
  seconds: number;
  /** Explanations worth showing, e.g. why no event reached the data set. */
  notes: string[];
}

export interface ReplayResult {
  rows: Row[];
  stats: ReplayStats;
}

/**
 * Replays fixture files through one prepared detection: read → normalise → generated matcher →
 * tstats aggregation → post-pipeline. Never throws for bad fixture content.
 */
export interface ReplayOptions {
  decodeEntities?: boolean;
  /** Called for every event in the data set with the event the matcher saw (see `onePhase`). */
  onEvent?: (ev: CimEvent, matched: boolean) => void;
  /**
   * Normalise every field of every event before matching. By default XML events are first read
   * and normalised for the where-clause's fields only, and fully only when they match (same
   * result, much less work: most events do not match).
   */
  onePhase?: boolean;
}

export async function replayDetection(
  det: PreparedDetection,
  inputs: ReplayInput[],
  opts: ReplayOptions = {},
): Promise<ReplayResult> {
  const t0 = performance.now();
  const agg = new TstatsAggregator(det.matcher.plan);
  const match = det.matcher.match;
  const files: FileStats[] = [];
  let inDataSet = 0;
  let matched = 0;
  for (const input of inputs) {
    const fmt = formatFor(input.sourcetype, input.source);
    if ('error' in fmt) {
      files.push({
        path: input.path,
        fileBytes: 0,
        bytes: 0,
        lines: 0,
        gzip: false,
        events: 0,
        malformed: 0,
        skipped: 0,
        issues: [],
        error: fmt.error,
      });
      continue;
    }
    const fixedSource = input.source;
    const sourcetype = input.sourcetype;
    const xml = fmt.id === 'xmlwineventlog' || fmt.id === 'sysmon-linux';
    // Readers keep only the raw fields the normalisers and the format read (hot-path saving);
    // in two phases, first only those the where-clause's CIM fields come from.
    const fullWanted = new Set([...det.normaliser.rawFieldsFor(sourcetype), ...fmt.metaFields]);
    const twoPhase = xml && !opts.onePhase && det.whereFields !== undefined;
    const wanted = twoPhase
      ? new Set([...det.normaliser.rawFieldsFor(sourcetype, det.whereFields), ...fmt.metaFields])
      : fullWanted;
    const decode = opts.decodeEntities ?? false;
    const onRaw = (raw: RawEvent) => {
      const meta = { sourcetype, source: fixedSource ?? fmt.sourceOf(raw.fields), host: fmt.hostOf(raw.fields) };
      const ev = det.normaliser.normalise(raw, meta);
      if (!ev) return;
      inDataSet++;
      const ok = match(ev);
      opts.onEvent?.(ev, ok);
      if (!ok) return;
      matched++;
      let full = ev;
      if (twoPhase && raw.text !== undefined) {
        const r = parseEventXml(raw.text, decode, fullWanted);
        if (!('error' in r))
          full = det.normaliser.normalise({ fields: r.fields, time: r.time, line: raw.line }, meta) ?? ev;
      }
      agg.add(full);
    };
    try {
      const r = await readFixture(input.path, fmt, onRaw, { decodeEntities: opts.decodeEntities, wanted });
      files.push({
        path: input.path,
        fileBytes: r.fileBytes,
        bytes: r.bytes,
        lines: r.lines,
        gzip: r.gzip,
        events: r.events,
        malformed: r.malformed,
        skipped: r.skipped,
        issues: r.issues,
        ...(r.container ? { container: r.container } : {}),
        ...(r.evtx ? { evtx: r.evtx } : {}),
        // Reading stopped early (e.g. a truncated gzip): what was read still counts; say where it stopped.
        ...(r.error
          ? {
              error: `cannot read ${input.path} to the end (stopped after ${r.container === 'evtx' ? `${r.events} events` : `line ${r.lines}`}): ${r.error.message}`,
            }
          : {}),
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      files.push({
        path: input.path,
        fileBytes: 0,
        bytes: 0,
        lines: 0,
        gzip: false,
        events: 0,
        malformed: 0,
        skipped: 0,
        issues: [],
        error: err.code === 'ENOENT' ? `file not found: ${input.path}` : `cannot read ${input.path}: ${err.message}`,
      });
    }
  }
  const rows = det.post(agg.rows());
  const sum = (f: (x: FileStats) => number) => files.reduce((a, x) => a + f(x), 0);
  const notes: string[] = [];
  if (inDataSet === 0 && sum((f) => f.events) > 0) {
    for (const st of new Set(inputs.map((i) => i.sourcetype))) {
      const specs = det.normaliser.specsFor(st);
      notes.push(
        specs.length === 0
          ? `no event reached ${det.dataSet}: no data source maps sourcetype "${st}" to ${det.dataSet} (add field_mappings to a data source with that sourcetype)`
          : `no event reached ${det.dataSet}: events of sourcetype "${st}" matched none of ${specs
              .map(
                (s) =>
                  `${s.name} (source ${s.source ?? '*'}${
                    Object.keys(s.where).length
                      ? `, ${Object.entries(s.where)
                          .map(([k, v]) => `${k}=${v}`)
                          .join(' ')}`
                      : ''
                  })`,
              )
              .join('; ')}`,
      );
    }
  }
  for (const p of det.normaliser.problems) notes.push(`data source ${p.spec}: ${p.key}: ${p.message}`);
  return {
    rows,
    stats: {
      files,
      eventsRead: sum((f) => f.events),
      malformed: sum((f) => f.malformed),
      skipped: sum((f) => f.skipped),
      inDataSet,
      matched,
      droppedNull: agg.droppedNull,
      rows: rows.length,
      bytes: sum((f) => f.bytes),
      seconds: (performance.now() - t0) / 1000,
      notes,
    },
  };
}

/** Default on-disk cache for generated matchers: the user cache, never under the content root. */
export function defaultCacheDir(root: string): string | undefined {
  // Outside the content tree (@dac/matchers matcherCacheDir): a committed cache entry is never read.
  return matcherCacheDir(root);
}
