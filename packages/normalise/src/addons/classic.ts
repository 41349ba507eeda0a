/**
 * Classic (non-XML) Windows event log text, as Splunk's WinEventLog input writes it when
 * `renderXml = false`:
 *
 *   01/14/2021 11:41:39 PM
 *   LogName=Microsoft-Windows-PowerShell/Operational
 *   SourceName=Microsoft-Windows-PowerShell
 *   EventCode=4104
 *   …
 *   Message=Creating Scriptblock text (1 of 1):
 *   certutil.exe -p password1234 .\powershellcert.pfx
 *
 *   ScriptBlock ID: 5a4fa6b8-2478-401a-be72-d1d40c3c754c
 *   Path:
 *
 * Splunk extracts these with the `wel-message`, `wel-eq-kv` and `wel-col-kv` transforms of its
 * system default configuration (referenced by Splunk_TA_windows 8.4.0 props.conf
 * `[source::(WMI:WinEventLog|WinEventLog)...] REPORT-0MESSAGE = wel-message, wel-eq-kv,
 * wel-col-kv`). No public copy of those transforms was found, so this follows their observable
 * result [uncertain, docs/addons.md]:
 * - `Key=Value` header lines → `Key` (up to the `Message=` line);
 * - `Message` = everything after `Message=` (line breaks kept, trailing CR removed);
 * - `Key: value` lines of the message → the cleaned key (`ScriptBlock ID` → `ScriptBlock_ID`,
 *   `Account Name` → `Account_Name`), a repeated key multivalue (the Windows add-on's regexes
 *   for `Account_Name` expect the two values of Subject and New Account); empty values dropped.
 */
import type { RawFields } from '../types.js';
import { cleanKey } from './kv.js';

/** `01/14/2021 11:41:39 PM`: the first line of a classic event. */
export const CLASSIC_HEADER = /^\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d [AP]M$/;

function add(out: RawFields, key: string, value: string): void {
  if (value === '' || key === '') return;
  const prev = out[key];
  if (prev === undefined) out[key] = value;
  else if (typeof prev === 'string') out[key] = [prev, value];
  else prev.push(value);
}

export function parseWinEventLogText(text: string): RawFields {
  const out = Object.create(null) as RawFields;
  const lines = text.split('\n');
  let i = 0;
  if (i < lines.length && CLASSIC_HEADER.test(lines[i].replace(/\r$/, ''))) i++;
  for (; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.startsWith('Message=')) {
      const body = [line.slice(8), ...lines.slice(i + 1).map((l) => l.replace(/\r$/, ''))];
      while (body.length > 1 && body[body.length - 1] === '') body.pop();
      const message = body.join('\n');
      if (message.trim() !== '') out.Message = message;
      for (const b of body.slice(1)) {
        const m = /^\s*([^:=\n]+?):[ \t]+(\S.*?)\s*$/.exec(b);
        if (m) add(out, cleanKey(m[1].trim()), m[2]);
      }
      break;
    }
    const eq = line.indexOf('=');
    if (eq > 0) add(out, cleanKey(line.slice(0, eq).trim()), line.slice(eq + 1).trim());
  }
  return out;
}

/** Splits classic events out of a text (each starts with a CLASSIC_HEADER line). */
export function splitWinEventLogText(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const lines = text.split('\n');
  let start = -1;
  const flush = (end: number) => {
    if (start < 0) return;
    let e = end;
    while (e > start + 1 && lines[e - 1].replace(/\r$/, '') === '') e--;
    out.push({ text: lines.slice(start, e).join('\n'), line: start + 1 });
    start = -1;
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].replace(/\r$/, '');
    if (CLASSIC_HEADER.test(l)) {
      flush(i);
      start = i;
    } else if (start >= 0 && l.startsWith('<Event')) flush(i);
  }
  flush(lines.length);
  return out;
}
