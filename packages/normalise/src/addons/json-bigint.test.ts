// Issue 12 case 7: big integers (beyond 2^53, which JSON.parse rounds) keep their digits, each
// taken from the literal at its own place in the document, whatever the nesting, key order,
// string contents (quotes, backslashes, digits) or arrays around it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flattenJsonValue, JsonDepthError } from './json.js';

type J = { big: string } | string | number | J[] | { [k: string]: J };

/** Serialises a tree whose `{big}` leaves are written as raw integer literals; returns the expected flattened big-integer fields too. */
function render(v: J, name: string, expected: Map<string, string[]>): string {
  if (typeof v === 'string' || typeof v === 'number') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => render(x, `${name}{}`, expected)).join(',')}]`;
  if ('big' in v && typeof v.big === 'string') {
    const list = expected.get(name) ?? [];
    list.push(v.big);
    expected.set(name, list);
    return v.big;
  }
  const o = v as { [k: string]: J };
  return `{${Object.keys(o)
    .map((k) => `${JSON.stringify(k)}:${render(o[k]!, name === '' ? k : `${name}.${k}`, expected)}`)
    .join(',')}}`;
}

const key = fc.constantFrom('RawProcessId', 'X', 'a', 'b"q', 'c\\d', 'Keywords', 'x y', '{}', 'é');
const big = fc
  .bigInt({ min: 2n ** 53n, max: 2n ** 70n })
  .chain((b) => fc.constantFrom(String(b), `-${b}`))
  .map((t) => ({ big: t }));
const leaf = fc.oneof(fc.string(), fc.constantFrom('"\\', '12345678901234567890', '\\"}'), fc.integer(), big);
const tree = fc.letrec<{ node: J }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(key, tie('node'), { maxKeys: 4 }),
  ),
})).node;

describe('flattenJsonValue: big integers at their own nesting level (issue 12 case 7)', () => {
  it('the example of the issue', () => {
    const line = '{"X":{"RawProcessId":1},"RawProcessId":99999999999999999999}';
    expect(flattenJsonValue(JSON.parse(line), line)).toMatchObject({
      'X.RawProcessId': '1',
      RawProcessId: '99999999999999999999',
    });
  });

  it('property: every big integer keeps its digits under its own field name', () => {
    fc.assert(
      fc.property(fc.dictionary(key, tree, { minKeys: 1, maxKeys: 5 }), (obj) => {
        const expected = new Map<string, string[]>();
        const line = render(obj as J, '', expected);
        const fields = flattenJsonValue(JSON.parse(line), line);
        for (const [name, digits] of expected) {
          const v = fields[name];
          const values = v === undefined ? [] : Array.isArray(v) ? v : [v];
          for (const d of digits) expect(values).toContain(d);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('nesting deeper than maxDepth throws JsonDepthError (no stack overflow at any depth)', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(() => flattenJsonValue({ a: JSON.parse(deep) }, `{"a":${deep}}`)).toThrow(JsonDepthError);
    expect(() => flattenJsonValue({ a: { b: 1 } }, undefined, { maxDepth: 1 })).toThrow(/deeper than 1 levels/);
  });
});
