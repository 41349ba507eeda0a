import { DEFAULT_JSON_DEPTH, flattenJsonValue, JsonDepthError, type RawEvent, type RawFields } from '@dac/normalise';
import { isoToEpochSeconds, parseEventXml } from './xml-event.js';

/** Something the reader could not turn into an event; never fatal. */
export interface ReadIssue {
  /** 1-based line where the offending text starts (0 for binary logs, which give `offset`). */
  line: number;
  /**
   * `malformed`: broken or truncated event (in EVTX: a damaged chunk or record). `skipped`: a
   * well-formed event of another rendering (e.g. classic WinEventLog text). `note`: nothing was
   * lost, but something is worth knowing (an EVTX header out of date, a zip member not read).
   */
  kind: 'malformed' | 'skipped' | 'note';
  message: string;
  /** Byte offset in the file (or zip member) for binary logs (EVTX). */
  offset?: number;
  /** The member of a zip archive the issue is in. */
  member?: string;
}

/** Where an issue is, as `file:line`, `file@0x1200` (EVTX byte offset) or `file[member]@0x1200`. */
export function issuePosition(path: string, i: ReadIssue): string {
  const where = i.member !== undefined ? `${path}[${i.member}]` : path;
  return i.offset !== undefined ? `${where}@0x${i.offset.toString(16)}` : `${where}:${i.line}`;
}

export interface EventSink {
  event(e: RawEvent): void;
  issue(i: ReadIssue): void;
}

/** Turns lines into events, synchronously. */
export interface LineParser {
  line(text: string, lineNo: number): void;
  /** End of input: flush or report what is pending. */
  end(): void;
}

export interface XmlParserOptions {
  decodeEntities?: boolean;
  /** Raw fields to keep (all when absent); see `parseEventXml`. */
  wanted?: ReadonlySet<string>;
  /** Longest event (UTF-16 units) accumulated over several lines before it is reported malformed. Default 4 MiB. */
  maxEventLength?: number;
}

/** `01/14/2021 11:41:39 PM`: the first line of a classic (non-XML) WinEventLog text event. */
const CLASSIC_HEADER = /^\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d [AP]M$/;

/** `<Event` followed by space, tab, `>` or the end — by char codes (startsWith is slow in V8). */
function startsEvent(line: string): boolean {
  if (
    line.charCodeAt(0) !== 60 ||
    line.charCodeAt(1) !== 69 ||
    line.charCodeAt(2) !== 118 ||
    line.charCodeAt(3) !== 101 ||
    line.charCodeAt(4) !== 110 ||
    line.charCodeAt(5) !== 116
  )
    return false;
  const c = line.charCodeAt(6);
  return c === 32 || c === 62 || c === 9 || Number.isNaN(c);
}

const END_TAG = '</Event>';
function endsWithEndTag(line: string): boolean {
  const n = line.length - 8;
  if (n < 0) return false;
  for (let i = 0; i < 8; i++) if (line.charCodeAt(n + i) !== END_TAG.charCodeAt(i)) return false;
  return true;
}

/**
 * XmlWinEventLog / Sysmon-for-Linux fixtures: one `<Event>…</Event>` per line as attack_data
 * stores them, but an event may also span lines (a command line with a newline) or share a line
 * with the next one. Classic multi-line WinEventLog text events (as in the real certutil `.raw`
 * file, splunk-semantics.md §5.5) are skipped and reported; any other stray text is malformed.
 */
export function xmlEventParser(sink: EventSink, opts: XmlParserOptions = {}): LineParser {
  const decode = opts.decodeEntities ?? false;
  const wanted = opts.wanted;
  const maxLen = opts.maxEventLength ?? 4 * 1024 * 1024;
  let buf = '';
  let bufLine = 0;
  let inEvent = false;
  let classicLine = 0;
  let junkLine = 0;
  let junkCount = 0;

  const flushJunk = () => {
    if (junkLine)
      sink.issue({ line: junkLine, kind: 'malformed', message: `${junkCount} line(s) of text that is not an <Event>` });
    junkLine = 0;
    junkCount = 0;
  };
  const flushClassic = () => {
    if (classicLine)
      sink.issue({ line: classicLine, kind: 'skipped', message: 'classic (non-XML) WinEventLog text event' });
    classicLine = 0;
  };
  const parseOne = (xml: string, lineNo: number) => {
    const r = parseEventXml(xml, decode, wanted);
    if ('error' in r) sink.issue({ line: lineNo, kind: 'malformed', message: r.error });
    else sink.event({ fields: r.fields, time: r.time, line: lineNo, text: xml });
  };
  /** Emits every complete event in `text` (which starts with `<Event`); returns the incomplete rest. */
  const drain = (text: string, lineNo: number): string => {
    for (;;) {
      const end = text.indexOf('</Event>');
      if (end < 0) return text;
      const next = text.indexOf('<Event', 1);
      if (next > 0 && next < end && startsEvent(text.slice(next, next + 7))) {
        // A new event begins before this one closed: this one is truncated.
        sink.issue({
          line: lineNo,
          kind: 'malformed',
          message: 'truncated event (a new <Event> starts before </Event>)',
        });
        text = text.slice(next);
        continue;
      }
      parseOne(text.slice(0, end + 8), lineNo);
      const rest = text.slice(end + 8).trimStart();
      if (rest === '') return '';
      if (!startsEvent(rest)) {
        sink.issue({ line: lineNo, kind: 'malformed', message: 'text after </Event>' });
        return '';
      }
      text = rest;
    }
  };

  const onLine = (line: string, lineNo: number): void => {
    if (inEvent) {
      if (startsEvent(line)) {
        sink.issue({
          line: bufLine,
          kind: 'malformed',
          message: 'truncated event (no </Event> before the next <Event>)',
        });
        inEvent = false;
        buf = '';
      } else {
        buf += `\n${line}`;
        if (buf.length > maxLen) {
          sink.issue({
            line: bufLine,
            kind: 'malformed',
            message: `event longer than ${maxLen} characters without </Event>`,
          });
          inEvent = false;
          buf = '';
          return;
        }
        const rest = drain(buf, bufLine);
        if (rest === '') {
          inEvent = false;
          buf = '';
        } else if (rest !== buf) {
          buf = rest;
          bufLine = lineNo;
        }
        return;
      }
    }
    // Fast path: the whole event on this line.
    if (startsEvent(line)) {
      flushClassic();
      flushJunk();
      // One whole event on the line (the attack_data norm): parse directly. Only when that
      // fails (two events sharing the line, or a broken event) is the line split and re-read.
      if (endsWithEndTag(line)) {
        const r = parseEventXml(line, decode, wanted);
        if (!('error' in r)) {
          sink.event({ fields: r.fields, time: r.time, line: lineNo, text: line });
          return;
        }
        // Otherwise split the line on </Event> below, which reports each broken piece once.
      }
      const rest = drain(line, lineNo);
      if (rest !== '') {
        inEvent = true;
        buf = rest;
        bufLine = lineNo;
      }
      return;
    }
    const t = line.trim();
    if (t === '') return;
    if (startsEvent(t)) {
      // indented event
      onLine(t, lineNo);
      return;
    }
    if (CLASSIC_HEADER.test(t)) {
      flushClassic();
      flushJunk();
      classicLine = lineNo;
      return;
    }
    if (classicLine) return; // body of a classic event
    if (!junkLine) junkLine = lineNo;
    junkCount++;
  };
  return {
    line: onLine,
    end() {
      flushClassic();
      flushJunk();
      if (inEvent)
        sink.issue({ line: bufLine, kind: 'malformed', message: 'truncated event at end of file (no </Event>)' });
      inEvent = false;
      buf = '';
    },
  };
}

/** How a JSON-lines format finds the event time. */
export type TimeOf = (f: RawFields) => number | undefined;

/** CrowdStrike FDR: `timestamp` is epoch milliseconds (a string); `ProcessStartTime` epoch seconds. */
export const crowdstrikeTime: TimeOf = (f) => {
  const ts = f.timestamp;
  if (typeof ts === 'string' && /^\d+(\.\d+)?$/.test(ts)) return Number(ts) / 1000;
  const ps = f.ProcessStartTime;
  if (typeof ps === 'string' && /^\d+(\.\d+)?$/.test(ps)) return Number(ps);
  return undefined;
};

/**
 * NXLog: `EventTime` is local time without a zone; the attack-range hosts logged in UTC
 * (escu-corpus.md §9.1), so it is read as UTC.
 */
export const nxlogTime: TimeOf = (f) => {
  const t = f.EventTime;
  return typeof t === 'string' ? isoToEpochSeconds(t) : undefined;
};

/**
 * One JSON object per line (CrowdStrike FDR, NXLog `to_json()`). An object nested deeper than
 * `maxDepth` (`limits.json_depth`) is one malformed event with its line number; reading goes on.
 */
export function jsonLinesParser(sink: EventSink, timeOf: TimeOf, opts: { maxDepth?: number } = {}): LineParser {
  const maxDepth = opts.maxDepth ?? DEFAULT_JSON_DEPTH;
  return {
    line(line, lineNo) {
      let i = 0;
      while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
      if (i === line.length) return;
      if (line.charCodeAt(i) !== 123 /* { */) {
        sink.issue({ line: lineNo, kind: 'malformed', message: 'not a JSON object' });
        return;
      }
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch (e) {
        sink.issue({ line: lineNo, kind: 'malformed', message: `invalid JSON: ${(e as Error).message}` });
        return;
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
        sink.issue({ line: lineNo, kind: 'malformed', message: 'not a JSON object' });
        return;
      }
      // Splunk's KV_MODE=json names (`a.b`, `a{}`, `a{}.b`): @dac/normalise flattenJsonValue.
      let fields: RawFields;
      try {
        fields = flattenJsonValue(obj as Record<string, unknown>, line, { maxDepth });
      } catch (e) {
        if (!(e instanceof JsonDepthError)) throw e;
        sink.issue({
          line: lineNo,
          kind: 'malformed',
          message: `JSON nested deeper than ${maxDepth} levels (raise it with limits.json_depth in dac.config.yaml)`,
        });
        return;
      }
      sink.event({ fields, time: timeOf(fields), line: lineNo, text: line });
    },
    end() {},
  };
}
