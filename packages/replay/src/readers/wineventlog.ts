import { CLASSIC_HEADER, parseWinEventLogText } from '@dac/normalise';
import type { EventSink, LineParser } from './formats.js';

/** `01/14/2021 11:41:39 PM` (the host's local time; read as UTC, like NXLog's EventTime) → epoch seconds. */
export function classicHeaderTime(line: string): number | undefined {
  const m = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d) ([AP])M$/.exec(line);
  if (!m) return undefined;
  const h = (Number(m[4]) % 12) + (m[7] === 'P' ? 12 : 0);
  const t = Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), h, Number(m[5]), Number(m[6]));
  return Number.isNaN(t) ? undefined : t / 1000;
}

/**
 * Classic (non-XML) WinEventLog text: an event starts at a `MM/DD/YYYY hh:mm:ss AM|PM` line and
 * runs to the next such line (or an XML `<Event` line, which ends it; XML events in the same file
 * are reported as skipped). The fields are Splunk's default WinEventLog extraction
 * (@dac/normalise parseWinEventLogText); the text is kept as `_raw`.
 */
export function winEventLogParser(sink: EventSink, opts: { maxEventLength?: number } = {}): LineParser {
  // An event longer than this (characters, line breaks included) is malformed: bounded memory.
  const maxLen = opts.maxEventLength ?? 4 * 1024 * 1024;
  let lines: string[] = [];
  let length = 0;
  let tooLong = false;
  let start = 0;
  let xmlLine = 0;
  const flush = () => {
    if (tooLong) {
      sink.issue({ line: start, kind: 'malformed', message: `event longer than ${maxLen} characters` });
      tooLong = false;
      lines = [];
      length = 0;
      return;
    }
    if (lines.length === 0) return;
    while (lines.length > 1 && lines[lines.length - 1].trim() === '') lines.pop();
    const text = lines.join('\n');
    sink.event({ fields: parseWinEventLogText(text), time: classicHeaderTime(lines[0]), line: start, text });
    lines = [];
    length = 0;
  };
  return {
    line(text, lineNo) {
      const t = text.replace(/\r$/, '');
      if (CLASSIC_HEADER.test(t)) {
        flush();
        start = lineNo;
        lines = [t];
        length = t.length;
        return;
      }
      if (t.startsWith('<Event')) {
        flush();
        if (!xmlLine) xmlLine = lineNo;
        sink.issue({ line: lineNo, kind: 'skipped', message: 'XML event in a classic WinEventLog file' });
        return;
      }
      if (tooLong) return;
      if (lines.length > 0) {
        length += text.length + 1;
        if (length > maxLen) {
          tooLong = true;
          lines = [];
        } else lines.push(text);
      } else if (t.trim() !== '')
        sink.issue({ line: lineNo, kind: 'malformed', message: 'text before the first WinEventLog header line' });
    },
    end: flush,
  };
}
