/**
 * Replays log files through one prepared detection (./prepared.ts): each file is read by the
 * reader its sourcetype names (text, gzip, EVTX, zip), each event extracted once as Splunk's
 * add-ons would (default fields + search-time fields) and pushed into the detection's search.
 * Never throws for bad file content: unreadable files and malformed events are counted and
 * reported in the stats.
 */
import type { SplunkEvent } from '@dac/normalise';
import { extractEvent, type ContentContext, type PreparedDetection, type Row } from './prepared.js';
import { formatFor, readFixture, type FixtureLimits, type ReadIssue, type ReadResult } from './readers/index.js';

/** One log file to replay, with the Splunk metadata of its `attack_data` entry. */
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
  /** Set when the file could not be read (to the end): missing, unsupported sourcetype, truncated. */
  error?: string;
}

export interface ReplayStats {
  files: FileStats[];
  eventsRead: number;
  malformed: number;
  skipped: number;
  /** A leading tstats: events that had rows in its data set. */
  inDataSet?: number;
  rows: number;
  bytes: number;
  seconds: number;
  /** Explanations worth showing (why no event reached the data set, run warnings). */
  notes: string[];
}

export interface ReplayResult {
  rows: Row[];
  stats: ReplayStats;
}

export interface ReplayOptions {
  /** Decode the five XML entities in values (Splunk's add-ons do not). */
  decodeEntities?: boolean;
  /** Epoch seconds of the search (default: the clock). */
  now?: number;
  /** Sees every extracted event (tests, reports). */
  onEvent?: (ev: SplunkEvent) => void;
  /** Bounds on reading the fixtures (`limits:` in dac.config.yaml); DEFAULT_LIMITS where absent. */
  limits?: Partial<FixtureLimits>;
}

/** Run warnings kept as notes, at most. */
const MAX_WARNING_NOTES = 10;

function emptyFile(path: string, error: string): FileStats {
  return {
    path,
    fileBytes: 0,
    bytes: 0,
    lines: 0,
    gzip: false,
    events: 0,
    malformed: 0,
    skipped: 0,
    issues: [],
    error,
  };
}

export async function replayFiles(
  det: PreparedDetection,
  inputs: ReplayInput[],
  ctx: Pick<ContentContext, 'addons'>,
  opts: ReplayOptions = {},
): Promise<ReplayResult> {
  const t0 = performance.now();
  const run = await det.open({ now: opts.now });
  const files: FileStats[] = [];
  const wanted = det.wanted;
  const seen = new Map<string, Set<string>>();
  for (const input of inputs) {
    const fmt = formatFor(input.sourcetype, input.source);
    if ('error' in fmt) {
      files.push(emptyFile(input.path, fmt.error));
      continue;
    }
    const sourcetype = input.sourcetype;
    const sources = seen.get(sourcetype) ?? new Set<string>();
    seen.set(sourcetype, sources);
    let lastSource = '';
    const onEvent = (raw: Parameters<Parameters<typeof readFixture>[2]>[0]) => {
      const source = input.source ?? fmt.sourceOf(raw.fields);
      if (source !== lastSource) {
        sources.add(source);
        lastSource = source;
      }
      const ev = extractEvent(ctx, raw, { sourcetype, source }, wanted);
      opts.onEvent?.(ev);
      run.push(ev);
    };
    try {
      const r = await readFixture(input.path, fmt, onEvent, {
        decodeEntities: opts.decodeEntities,
        limits: opts.limits,
      });
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
      files.push(
        emptyFile(
          input.path,
          err.code === 'ENOENT' ? `file not found: ${input.path}` : `cannot read ${input.path}: ${err.message}`,
        ),
      );
    }
  }
  const { rows, warnings, inDataSet } = await run.end();
  const sum = (f: (x: FileStats) => number) => files.reduce((a, x) => a + f(x), 0);
  const eventsRead = sum((f) => f.events);
  const notes: string[] = [];
  if (det.dataSet && inDataSet === 0 && eventsRead > 0) {
    const streams = [...seen].map(([st, srcs]) => `sourcetype "${st}" (source ${[...srcs].join(', ') || '-'})`);
    notes.push(
      `no event reached ${det.dataSet}: the add-ons put none of the ${eventsRead} events of ${streams.join('; ')} into it`,
    );
  }
  const distinct = [...new Set(warnings.map((w) => `${w.command}: ${w.message}`))];
  for (const w of distinct.slice(0, MAX_WARNING_NOTES)) notes.push(`warning: ${w}`);
  if (distinct.length > MAX_WARNING_NOTES) notes.push(`… ${distinct.length - MAX_WARNING_NOTES} more warnings`);
  return {
    rows,
    stats: {
      files,
      eventsRead,
      malformed: sum((f) => f.malformed),
      skipped: sum((f) => f.skipped),
      ...(inDataSet !== undefined ? { inDataSet } : {}),
      rows: rows.length,
      bytes: sum((f) => f.bytes),
      seconds: (performance.now() - t0) / 1000,
      notes,
    },
  };
}
