/**
 * Splunk's default fields (Knowledge Manager Manual, "Use default fields": `_raw`, `_time`,
 * `host`, `index`, `linecount`, `punct`, `source`, `sourcetype`): set on every event before any
 * add-on setting runs, so add-on settings and searches can use them.
 */
import type { RawEvent } from '../types.js';
import type { SplunkEvent, StreamMeta } from './engine.js';
import type { InputProfile } from './model.js';

/** The index an event lands in when the test entry names none. */
export const DEFAULT_INDEX = 'main';

/** The number of lines of an event's text (`linecount`). */
export function lineCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < text.length - 1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 127;
}

/**
 * `punct`: the event's punctuation pattern — letters and digits dropped, a space written `_`, a
 * tab `t`, a line break `n`, at most 30 characters. [uncertain: Splunk documents the field, not
 * its exact algorithm; searches in the ESCU corpus never use it.]
 */
export function punctOf(text: string): string {
  let out = '';
  for (let i = 0; i < text.length && out.length < 30; i++) {
    const c = text.charCodeAt(i);
    if (isAlnum(c)) continue;
    if (c === 32) out += '_';
    else if (c === 9) out += 't';
    else if (c === 10) out += 'n';
    else if (c === 13) continue;
    else out += text[i];
  }
  return out;
}

/** Writes the default fields of one event. */
export function defaultFieldsInto(
  ev: SplunkEvent,
  raw: RawEvent,
  meta: StreamMeta,
  profile: InputProfile | undefined,
  withPunct: boolean,
  withLinecount = true,
): void {
  if (raw.time !== undefined) ev._time = raw.time;
  const text = raw.text;
  if (text !== undefined) {
    ev._raw = text;
    if (withLinecount) ev.linecount = String(lineCount(text));
    if (withPunct) ev.punct = punctOf(text);
  }
  let host = meta.host;
  if (host === undefined && profile?.hostFields) {
    for (const f of profile.hostFields) {
      const v = raw.fields[f] ?? ev[f];
      if (typeof v === 'string' && v !== '') {
        host = v;
        break;
      }
    }
  }
  if (host !== undefined) ev.host = host;
  ev.source = meta.source;
  ev.sourcetype = meta.sourcetype;
  ev.index = meta.index ?? DEFAULT_INDEX;
}
