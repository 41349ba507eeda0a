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

/** The default deepest nesting of objects and arrays flattened (`limits.json_depth`). */
export const DEFAULT_JSON_DEPTH = 512;

/** A JSON value nested deeper than the limit: the event is malformed (never a stack overflow). */
export class JsonDepthError extends Error {
  constructor(readonly maxDepth: number) {
    super(`JSON nested deeper than ${maxDepth} levels`);
    this.name = 'JsonDepthError';
  }
}

/**
 * The exact text of every integer literal of `line` that JSON.parse rounds (|n| > 2^53), by the
 * Splunk field name it flattens to (`X.RawProcessId`, `a{}`), in document order. One linear,
 * iterative pass (no recursion: a deep line cannot overflow the stack); keys are unescaped only
 * when they hold a backslash. A key written twice in one object is recorded twice although
 * JSON.parse keeps the last: such lines may mis-assign their big integers (content never has them).
 */
export function unsafeIntegerTexts(line: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  // One frame per open container: its flattened name and whether it is an array.
  const names: string[] = [];
  const isArray: boolean[] = [];
  let key = '';
  let expectKey = false;
  const n = line.length;
  let i = 0;
  const childName = () => {
    const top = names.length - 1;
    if (top < 0) return '';
    const parent = names[top]!;
    if (isArray[top]) return `${parent}{}`;
    return parent === '' ? key : `${parent}.${key}`;
  };
  // Nothing after the last run of 16+ digits can be a rounded integer: stop there.
  let last = -1;
  for (const m of line.matchAll(LONG_DIGITS)) last = m.index! + m[0].length;
  const end = Math.min(n, last);
  while (i < end) {
    const c = line.charCodeAt(i);
    if (c === 34 /* " */) {
      // The closing quote: the next `"` not preceded by an odd number of backslashes (found with
      // indexOf, so long string values cost what a native scan costs).
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) {
          j = n;
          break;
        }
        let k = q - 1;
        while (k > i && line.charCodeAt(k) === 92) k--;
        if ((q - 1 - k) % 2 === 0) {
          j = q;
          break;
        }
        j = q + 1;
      }
      if (expectKey) {
        const raw = line.slice(i, j + 1);
        try {
          key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        } catch {
          key = raw.slice(1, -1);
        }
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === 123 /* { */ || c === 91 /* [ */) {
      names.push(childName());
      isArray.push(c === 91);
      expectKey = c === 123;
      i++;
      continue;
    }
    if (c === 125 /* } */ || c === 93 /* ] */) {
      names.pop();
      isArray.pop();
      i++;
      continue;
    }
    if (c === 44 /* , */) {
      expectKey = isArray.length > 0 && !isArray[isArray.length - 1];
      i++;
      continue;
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      let j = i + 1;
      while (j < n) {
        const d = line.charCodeAt(j);
        if ((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45) j++;
        else break;
      }
      // Only integers beyond 2^53 can lose digits: 16 or more characters.
      if (j - i >= 16) {
        const text = line.slice(i, j);
        const v = Number(text);
        if (Number.isInteger(v) && !Number.isSafeInteger(v)) {
          const name = childName();
          const list = out.get(name);
          if (list) list.push(text);
          else out.set(name, [text]);
        }
      }
      i = j;
      continue;
    }
    i++;
  }
  return out;
}

const LONG_DIGITS = /\d{16,}/g;

/** Per event: the big-integer texts (computed on the first rounded integer) and how many were used per name. */
interface BigIntegers {
  line: string;
  texts?: Map<string, string[]>;
  used?: Map<string, number>;
}

function exactText(v: number, name: string, big: BigIntegers): string {
  big.texts ??= unsafeIntegerTexts(big.line);
  big.used ??= new Map();
  const k = big.used.get(name) ?? 0;
  big.used.set(name, k + 1);
  const text = big.texts.get(name)?.[k];
  // Written as an integer literal: its digits; otherwise (`1e20`, `1.0e20`) as JavaScript prints it.
  return text !== undefined && /^-?\d+$/.test(text) ? text : String(v);
}

function scalar(v: unknown, big: BigIntegers | undefined, name: string): string | undefined {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      if (big !== undefined && Number.isInteger(v) && !Number.isSafeInteger(v)) return exactText(v, name, big);
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

function walk(
  v: unknown,
  name: string,
  out: RawFields,
  big: BigIntegers | undefined,
  inArray: boolean,
  depth: number,
  maxDepth: number,
): void {
  if (v === undefined) return;
  if (v === null) {
    if (name !== '') add(out, name, 'null', inArray);
    return;
  }
  if (typeof v === 'object') {
    if (depth >= maxDepth) throw new JsonDepthError(maxDepth);
    if (Array.isArray(v)) {
      for (const x of v) walk(x, `${name}{}`, out, big, true, depth + 1, maxDepth);
      return;
    }
    const o = v as Record<string, unknown>;
    for (const k in o) walk(o[k], name === '' ? k : `${name}.${k}`, out, big, inArray, depth + 1, maxDepth);
    return;
  }
  const s = scalar(v, big, name);
  if (s !== undefined) add(out, name, s, inArray);
}

export interface FlattenOptions {
  /** Deepest nesting flattened; deeper throws JsonDepthError. Default DEFAULT_JSON_DEPTH. */
  maxDepth?: number;
}

/**
 * Flattens a parsed JSON object into Splunk field names. `line` (the event text) lets large
 * integers keep their digits, each taken from the literal at its own place in the document.
 * Values inside arrays are always multivalue lists. Throws JsonDepthError for nesting deeper than
 * `maxDepth` (the recursion is bounded by it, so it cannot overflow the stack).
 */
export function flattenJsonValue(obj: Record<string, unknown>, line?: string, opts: FlattenOptions = {}): RawFields {
  // No inherited members: a field named `toString` must read as absent.
  const out = Object.create(null) as RawFields;
  const maxDepth = Math.min(opts.maxDepth ?? DEFAULT_JSON_DEPTH, 4096);
  walk(obj, '', out, line === undefined ? undefined : { line }, false, 0, maxDepth);
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
  try {
    return flattenJsonValue(obj as Record<string, unknown>, text);
  } catch (e) {
    if (e instanceof JsonDepthError) return undefined;
    throw e;
  }
}

export type { RawValue };
