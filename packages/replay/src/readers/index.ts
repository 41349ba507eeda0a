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
import { readLines, type LineStats } from './lines.js';
import { winEventLogParser } from './wineventlog.js';

export * from './formats.js';
export * from './lines.js';
export * from './xml-event.js';
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
  parser(sink: EventSink, opts: { decodeEntities?: boolean; wanted?: ReadonlySet<string> }): LineParser;
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
    parser: (sink) => jsonLinesParser(sink, crowdstrikeTime),
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
    parser: (sink) => jsonLinesParser(sink, nxlogTime),
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
}

/**
 * Streams one fixture file through a format's parser. Never throws for bad content: every
 * malformed or skipped event becomes an issue with its line number. I/O errors (missing file) do throw.
 */
export async function readFixture(
  path: string,
  format: FixtureFormat,
  onEvent: EventSink['event'],
  opts: { decodeEntities?: boolean; maxIssues?: number; wanted?: ReadonlySet<string> } = {},
): Promise<ReadResult> {
  const maxIssues = opts.maxIssues ?? 1000;
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
      else skipped++;
      if (issues.length < maxIssues) issues.push(i);
    },
  };
  const parser = format.parser(sink, opts);
  const stats = await readLines(path, (l, n) => parser.line(l, n), {
    onOverlong: (line, len) =>
      sink.issue({ line, kind: 'malformed', message: `line too long (${len}+ characters), dropped` }),
  });
  parser.end();
  return { ...stats, events, issues, issueCount, malformed, skipped };
}
