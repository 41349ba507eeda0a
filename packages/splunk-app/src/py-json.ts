/**
 * JSON exactly as contentctl's Jinja `tojson` filter writes it (escu-app-format.md §4.3):
 * Python `json.dumps(obj, sort_keys=True)` — separators `", "` and `": "`, `ensure_ascii=True`
 * (every character outside printable ASCII as `\uXXXX`, astral characters as surrogate pairs) —
 * then `<`, `>`, `&`, `'` replaced by `\u003c`, `\u003e`, `\u0026`, `\u0027`.
 * The output never contains a raw control character or line break, so it is always a safe
 * one-line .conf value. Values are serialised, never concatenated.
 */

/** A number Python holds as a float (printed with a fractional part, e.g. `1727654400.0`). */
export class PyFloat {
  constructor(readonly value: number) {}
}

export type PyJsonValue =
  | string
  | number
  | boolean
  | null
  | PyFloat
  | PyJsonValue[]
  | { [key: string]: PyJsonValue | undefined };

/** Python's `repr(float)` for finite values; JSON has no NaN/Infinity, Python writes them bare. */
function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return `${n}.0`;
  // Both languages print the shortest round-trip digits; only the exponent layout of very large
  // or very small floats differs, and no generated value is one.
  return String(n);
}

/** Characters json.dumps(ensure_ascii=True) + Jinja's htmlsafe step leave as they are. */
const NEEDS_ESCAPE = /["\\<>&'\x00-\x1f\x7f-\uffff]/g;
const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
  // Jinja's htmlsafe_json_dumps replacements.
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  "'": '\\u0027',
};

function escapeChar(c: string): string {
  return SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function pyStr(s: string): string {
  // Non-BMP characters are two UTF-16 units, each escaped on its own: the surrogate pair Python writes.
  return `"${s.replace(NEEDS_ESCAPE, escapeChar)}"`;
}

/** Code-point order, which is how Python sorts `str` keys. */
export function comparePyStr(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx - cy;
  }
}

/** Serialises like `value | tojson` in contentctl's templates. Object keys with `undefined` values are omitted. */
export function toJson(value: PyJsonValue | undefined): string {
  if (value === undefined || value === null) return 'null';
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  switch (typeof value) {
    case 'string':
      return pyStr(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isInteger(value) ? String(value) : pyFloatRepr(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => toJson(v)).join(', ')}]`;
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort(comparePyStr);
  return `{${keys.map((k) => `${pyStr(k)}: ${toJson(value[k])}`).join(', ')}}`;
}
