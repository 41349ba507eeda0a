import type { RawFields } from '@dac/normalise';
import {
  crowdstrikeTime,
  jsonLinesParser,
  nxlogTime,
  xmlEventParser,
  type EventSink,
  type LineParser,
  type ReadIssue,
} from './formats.js';
import { readLines, readLinesFrom, type LineReadOptions, type LineStats } from './lines.js';
import { DEFAULT_LIMITS, type Limits } from '@dac/content';
import { closeSync, fstatSync, openSync } from 'node:fs';
import {
  forEachZipMember,
  gunzipStream,
  type LogKind,
  peek,
  readEvtxEvents,
  sniffBytes,
  sniffFd,
  TEXT_MEMBER,
} from './containers.js';
import { evtxFdSource, type EvtxStats } from './evtx/index.js';
import { winEventLogParser } from './wineventlog.js';

export * from './formats.js';
export * from './lines.js';
export * from './xml-event.js';
export { sniffBytes, sniffLogFile, type LogKind } from './containers.js';
export * from './evtx/index.js';
export * from './wineventlog.js';

/** A fixture reader, chosen by the (sourcetype, source) pair of an ESCU `attack_data` entry. */
export interface FixtureFormat {
  id: 'xmlwineventlog' | 'sysmon-linux' | 'crowdstrike' | 'nxlog-json' | 'wineventlog';
  /** The sourcetype as Splunk names it. */
  sourcetype: string;
  /** Source used when neither the test nor the event names one. */
  defaultSource: string;
  /** The Splunk `source` of one event when the test entry gives none (the Windows input's `XmlWinEventLog:<Channel>`). */
  sourceOf(fields: RawFields): string;
  /** Raw fields the format itself reads (time, source, host), kept when readers project fields. */
  metaFields: string[];
  /** The Splunk `host` of one event. */
  hostOf(fields: RawFields): string | undefined;
  parser(
    sink: EventSink,
    opts: { decodeEntities?: boolean; wanted?: ReadonlySet<string>; maxDepth?: number },
  ): LineParser;
}

const str = (v: RawFields[string] | undefined): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined;

const FORMATS: Record<string, FixtureFormat> = {
  xmlwineventlog: {
    id: 'xmlwineventlog',
    sourcetype: 'XmlWinEventLog',
    defaultSource: 'XmlWinEventLog',
    sourceOf: (f) => (str(f.Channel) ? `XmlWinEventLog:${f.Channel as string}` : 'XmlWinEventLog'),
    metaFields: ['Channel', 'Computer', 'SystemTime'],
    hostOf: (f) => str(f.Computer),
    parser: (sink, o) => xmlEventParser(sink, o),
  },
  'sysmon:linux': {
    id: 'sysmon-linux',
    sourcetype: 'sysmon:linux',
    defaultSource: 'Syslog:Linux-Sysmon/Operational',
    sourceOf: () => 'Syslog:Linux-Sysmon/Operational',
    metaFields: ['Computer', 'SystemTime'],
    hostOf: (f) => str(f.Computer),
    parser: (sink, o) => xmlEventParser(sink, o),
  },
  'crowdstrike:events:sensor': {
    id: 'crowdstrike',
    sourcetype: 'crowdstrike:events:sensor',
    defaultSource: 'crowdstrike',
    sourceOf: () => 'crowdstrike',
    metaFields: ['ComputerName', 'aid', 'timestamp', 'ProcessStartTime'],
    hostOf: (f) => str(f.ComputerName) ?? str(f.aid),
    parser: (sink, o) => jsonLinesParser(sink, crowdstrikeTime, o),
  },
  wineventlog: {
    id: 'wineventlog',
    sourcetype: 'WinEventLog',
    defaultSource: 'WinEventLog',
    sourceOf: (f) => (str(f.LogName) ? `WinEventLog:${f.LogName as string}` : 'WinEventLog'),
    metaFields: ['LogName', 'ComputerName'],
    hostOf: (f) => str(f.ComputerName),
    parser: (sink) => winEventLogParser(sink),
  },
  'nxlog:json': {
    id: 'nxlog-json',
    sourcetype: 'nxlog:json',
    defaultSource: 'nxlog',
    sourceOf: () => 'nxlog',
    metaFields: ['Hostname', 'EventTime'],
    hostOf: (f) => str(f.Hostname),
    parser: (sink, o) => jsonLinesParser(sink, nxlogTime, o),
  },
};

export const SUPPORTED_SOURCETYPES = Object.values(FORMATS).map((f) => f.sourcetype);

/**
 * The reader for a sourcetype (compared case-insensitively: ESCU writes both `XmlWinEventLog` and
 * `xmlwineventlog`). For XmlWinEventLog the source must be an `XmlWinEventLog:<channel>` source when given.
 */
export function formatFor(sourcetype: string, source?: string): FixtureFormat | { error: string } {
  const f = FORMATS[sourcetype.trim().toLowerCase()];
  if (!f)
    return {
      error: `no fixture reader for sourcetype "${sourcetype}" (supported: ${SUPPORTED_SOURCETYPES.join(', ')})`,
    };
  if (f.id === 'xmlwineventlog' && source !== undefined && !/^xmlwineventlog:/i.test(source)) {
    return { error: `sourcetype XmlWinEventLog expects a source "XmlWinEventLog:<channel>", got "${source}"` };
  }
  return f;
}

export interface ReadResult extends LineStats {
  events: number;
  issues: ReadIssue[];
  /** Issues beyond `maxIssues` are counted, not kept. */
  issueCount: number;
  malformed: number;
  skipped: number;
  /** Binary or archive logs: `evtx` (a Windows event log file) or `zip` (members read one by one). */
  container?: 'evtx' | 'zip';
  /** EVTX counts (summed over the EVTX members of a zip). */
  evtx?: EvtxStats;
  /** Zip: members read. */
  members?: number;
}

export interface ReadFixtureOptions {
  decodeEntities?: boolean;
  maxIssues?: number;
  wanted?: ReadonlySet<string>;
  /** EVTX: take fields from the reader directly (default) or parse the rendered XML (false). */
  evtxFastPath?: boolean;
  /** Bounds on reading (`limits:` in dac.config.yaml); DEFAULT_LIMITS where absent. */
  limits?: Partial<FixtureLimits>;
}

/** The limits that apply to reading fixtures. */
export type FixtureLimits = Pick<
  Limits,
  'fixture_decompressed_bytes' | 'fixture_decompression_ratio' | 'fixture_line_length' | 'json_depth'
>;

function lineOptions(limits: FixtureLimits, compressedBytes?: () => number): LineReadOptions {
  return {
    maxLineLength: limits.fixture_line_length,
    maxBytes: limits.fixture_decompressed_bytes,
    maxRatio: limits.fixture_decompression_ratio,
    ...(compressedBytes ? { compressedBytes } : {}),
  };
}

function addEvtx(into: EvtxStats | undefined, s: EvtxStats): EvtxStats {
  if (!into) return { ...s };
  into.bytes += s.bytes;
  into.blocks += s.blocks;
  into.chunks += s.chunks;
  into.damagedChunks += s.damagedChunks;
  into.records += s.records;
  into.damagedRecords += s.damagedRecords;
  into.planned += s.planned;
  into.dirty ||= s.dirty;
  return into;
}

/**
 * Streams one fixture file through a format's parser. The container is chosen by content
 * (`sniffLogFile`): text lines (gzip inflated), an EVTX file (rendered as XmlWinEventLog
 * events), or a zip whose members are read one by one the same way (attack_data's
 * `*_capattack.zip`). Never throws for bad content: every malformed or skipped event becomes an
 * issue with its line number (EVTX: its byte offset). I/O errors (missing file) do throw, and so
 * does an EVTX file given for a sourcetype other than XmlWinEventLog.
 */
export async function readFixture(
  path: string,
  format: FixtureFormat,
  onEvent: EventSink['event'],
  opts: ReadFixtureOptions = {},
): Promise<ReadResult> {
  const maxIssues = opts.maxIssues ?? 1000;
  const limits: FixtureLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const parserOpts = { ...opts, maxDepth: limits.json_depth };
  const tooLong = (len: number) =>
    `line too long (${len}+ bytes; the limit is ${limits.fixture_line_length}, raise it with limits.fixture_line_length in dac.config.yaml), dropped`;
  const issues: ReadIssue[] = [];
  let issueCount = 0;
  let malformed = 0;
  let skipped = 0;
  let events = 0;
  const sink: EventSink = {
    event: (e) => {
      events++;
      onEvent(e);
    },
    issue: (i) => {
      issueCount++;
      if (i.kind === 'malformed') malformed++;
      else if (i.kind === 'skipped') skipped++;
      if (issues.length < maxIssues) issues.push(i);
    },
  };
  const evtxFor = (what: string) => {
    if (format.id !== 'xmlwineventlog')
      throw new Error(`${what} is an EVTX event log: its events are XmlWinEventLog, not ${format.sourcetype}`);
  };
  const result = (stats: LineStats, extra: Partial<ReadResult> = {}): ReadResult => ({
    ...stats,
    events,
    issues,
    issueCount,
    malformed,
    skipped,
    ...extra,
  });
  const evtxOpts = { decodeEntities: opts.decodeEntities, wanted: opts.wanted, fastPath: opts.evtxFastPath };
  // One open per file: its kind, its size and an EVTX file's bytes all come through the same
  // descriptor (a scan opens hundreds of small files; before, each was opened twice and stat'ed).
  const fd = openSync(path, 'r');
  let kind: LogKind = 'text';
  let fileBytes = 0;
  let evtxSource: AsyncGenerator<Buffer> | undefined;
  try {
    kind = sniffFd(fd, path);
    if (kind === 'evtx' || kind === 'zip') fileBytes = fstatSync(fd).size;
    if (kind === 'evtx') {
      evtxFor(path);
      evtxSource = evtxFdSource(fd);
    }
  } finally {
    if (!evtxSource) closeSync(fd);
  }
  if (evtxSource) {
    let r: Awaited<ReturnType<typeof readEvtxEvents>>;
    try {
      r = await readEvtxEvents(evtxSource, sink, evtxOpts);
    } finally {
      // Closed here, however reading ended (also if it threw before the source was first pulled).
      closeSync(fd);
    }
    // What `result` builds, written out: object spreads cost more than the rest of a small file.
    const bytes = r.stats.bytes;
    return r.error
      ? {
          fileBytes,
          bytes,
          lines: 0,
          gzip: false,
          error: r.error,
          events,
          issues,
          issueCount,
          malformed,
          skipped,
          container: 'evtx',
          evtx: r.stats,
        }
      : {
          fileBytes,
          bytes,
          lines: 0,
          gzip: false,
          events,
          issues,
          issueCount,
          malformed,
          skipped,
          container: 'evtx',
          evtx: r.stats,
        };
  }
  if (kind === 'zip') {
    let bytes = 0;
    let lines = 0;
    let members = 0;
    let evtx: EvtxStats | undefined;
    let error: Error | undefined;
    try {
      await forEachZipMember(path, async (m) => {
        const { head, rest } = await peek(m.stream);
        const mkind = sniffBytes(head, m.name);
        if (mkind === 'evtx') {
          evtxFor(`${path}[${m.name}]`);
          members++;
          const r = await readEvtxEvents(rest, sink, { ...evtxOpts, member: m.name });
          bytes += r.stats.bytes;
          evtx = addEvtx(evtx, r.stats);
          if (r.error) throw r.error;
          return;
        }
        if (mkind === 'zip' || !(TEXT_MEMBER.test(m.name) || mkind === 'gzip')) {
          sink.issue({
            line: 0,
            member: m.name,
            kind: 'note',
            message: 'zip member not read (not an EVTX or text log)',
          });
          for await (const _ of rest) {
            // drain, so that the archive moves on to the next member
          }
          return;
        }
        members++;
        const parser = format.parser(
          {
            event: sink.event,
            issue: (i) => sink.issue({ ...i, member: m.name }),
          },
          parserOpts,
        );
        // The member's compressed size (from the central directory) for the ratio check: a
        // deflated member, or a gzip inside the zip, cannot expand beyond the limit either.
        const compressed = Math.max(1, m.compressedSize);
        const r = await readLinesFrom(mkind === 'gzip' ? gunzipStream(rest) : rest, (l, n) => parser.line(l, n), {
          ...lineOptions(limits, () => compressed),
          skipEmptyLines: format.id !== 'wineventlog',
          onOverlong: (line, len) => sink.issue({ line, member: m.name, kind: 'malformed', message: tooLong(len) }),
        });
        parser.end();
        bytes += r.bytes;
        lines += r.lines;
        if (r.error) throw r.error;
      });
    } catch (e) {
      if (e instanceof Error && /is an EVTX event log/.test(e.message)) throw e;
      error = e instanceof Error ? e : new Error(String(e));
    }
    return result(
      { fileBytes, bytes, lines, gzip: false, ...(error ? { error } : {}) },
      { container: 'zip', members, ...(evtx ? { evtx } : {}) },
    );
  }
  const parser = format.parser(sink, parserOpts);
  const stats = await readLines(path, (l, n) => parser.line(l, n), {
    ...lineOptions(limits),
    // A blank line is part of a classic WinEventLog event; every other format ignores blank lines.
    skipEmptyLines: format.id !== 'wineventlog',
    onOverlong: (line, len) => sink.issue({ line, kind: 'malformed', message: tooLong(len) }),
  });
  parser.end();
  return result(stats);
}
