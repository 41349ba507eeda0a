/**
 * JSON events as Splunk's automatic JSON extraction (`KV_MODE = json`, or `AUTO_KV_JSON = true`
 * under the default `KV_MODE = auto`) and `spath` name their fields (Search Reference, "spath":
 * "use `{}` to refer to an array"):
 * - nested objects: `userIdentity.sessionContext.attributes.mfaAuthenticated`;
 * - an array of scalars: the multivalue field `a{}`;
 * - an array of objects: one multivalue field per key, `Parameters{}.Name`, `Parameters{}.Value`
 *   (the o365 and CloudTrail searches of ESCU read these); nested arrays `a{}{}`;
 * - booleans `true`/`false`; numbers as written (integers beyond 2^53 are recovered from the
 *   text, since `JSON.parse` would round them).
 * - a JSON `null` is the value `null`: the ESCU Azure AD data sources list `properties.userAgent`,
 *   which is `null` in their example events (a field Splunk created from a null).
 * Choice [uncertain, docs/addons.md]: numbers other than big integers are rendered as JavaScript
 * prints them (`1.0` → `1`).
 */
import type { RawFields, RawValue } from '../types.js';

/**
 * Recovers the exact digits of an integer `JSON.parse` rounded (|n| > 2^53, e.g. NXLog's signed
 * 64-bit `Keywords`): finds `"key":<digits>` where the key's opening quote follows `{` or `,`
 * (inside a JSON string a quote is always escaped, so that context is structural).
 */
export function exactInteger(line: string, key: string): string | undefined {
  const needle = `${JSON.stringify(key)}:`;
  let at = line.indexOf(needle);
  while (at >= 0) {
    let b = at - 1;
    while (b >= 0 && (line[b] === ' ' || line[b] === '\t')) b--;
    if (b >= 0 && (line[b] === '{' || line[b] === ',')) {
      const m = /^\s*(-?\d+)/.exec(line.slice(at + needle.length, at + needle.length + 40));
      if (m) return m[1];
    }
    at = line.indexOf(needle, at + 1);
  }
  return undefined;
}

function scalar(v: unknown, line: string | undefined, key: string): string | undefined {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      if (Number.isInteger(v) && !Number.isSafeInteger(v) && line !== undefined)
        return exactInteger(line, key) ?? String(v);
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return undefined;
  }
}

function add(out: RawFields, name: string, value: string, multi: boolean): void {
  const prev = out[name];
  if (prev === undefined) out[name] = multi ? [value] : value;
  else if (typeof prev === 'string') out[name] = [prev, value];
  else prev.push(value);
}

function walk(v: unknown, name: string, key: string, out: RawFields, line: string | undefined, inArray: boolean): void {
  if (v === undefined) return;
  if (v === null) {
    if (name !== '') add(out, name, 'null', inArray);
    return;
  }
  if (Array.isArray(v)) {
    for (const x of v) walk(x, `${name}{}`, key, out, line, true);
    return;
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k in o) walk(o[k], name === '' ? k : `${name}.${k}`, k, out, line, inArray);
    return;
  }
  const s = scalar(v, line, key);
  if (s !== undefined) add(out, name, s, inArray);
}

/**
 * Flattens a parsed JSON object into Splunk field names. `line` (the event text) lets large
 * integers keep their digits. Values inside arrays are always multivalue lists.
 */
export function flattenJsonValue(obj: Record<string, unknown>, line?: string): RawFields {
  // No inherited members: a field named `toString` must read as absent.
  const out = Object.create(null) as RawFields;
  walk(obj, '', '', out, line, false);
  return out;
}

/** Parses and flattens one JSON object; undefined when the text is not a JSON object. */
export function flattenJson(text: string): RawFields | undefined {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined;
  return flattenJsonValue(obj as Record<string, unknown>, text);
}

export type { RawValue };
