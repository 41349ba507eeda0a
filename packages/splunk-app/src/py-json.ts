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

export type PyJsonValue = string | number | boolean | null | PyFloat | PyJsonValue[] | { [key: string]: PyJsonValue | undefined };

/** Python's `repr(float)` for finite values; JSON has no NaN/Infinity, Python writes them bare. */
function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return `${n}.0`;
  // Both languages print the shortest round-trip digits; only the exponent layout of very large
  // or very small floats differs, and no generated value is one.
  return String(n);
}

function pyStr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    // Jinja's htmlsafe_json_dumps replacements.
    else if (c === 0x3c) out += '\\u003c';
    else if (c === 0x3e) out += '\\u003e';
    else if (c === 0x26) out += '\\u0026';
    else if (c === 0x27) out += '\\u0027';
    else if (c < 0x20 || c > 0x7e) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += s[i];
  }
  return out + '"';
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
    case 'string': return pyStr(value);
    case 'boolean': return value ? 'true' : 'false';
    case 'number': return Number.isInteger(value) ? String(value) : pyFloatRepr(value);
  }
  if (Array.isArray(value)) return '[' + value.map((v) => toJson(v)).join(', ') + ']';
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort(comparePyStr);
  return '{' + keys.map((k) => `${pyStr(k)}: ${toJson(value[k])}`).join(', ') + '}';
}
