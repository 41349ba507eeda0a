import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { canonicalJson, meaningHash } from './canonical.js';

/** Rebuilds a value with every object's keys in reverse order. */
function reorder(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reorder);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .reverse()
        .map((k) => [k, reorder((v as Record<string, unknown>)[k])]),
    );
  return v;
}

const jsonValue = fc.jsonValue({ maxDepth: 4 }).filter((v) => !Object.is(v, -0));

describe('meaningHash: the meaning of a detection, not its formatting', () => {
  it('ignores key order at every level (property)', () => {
    fc.assert(fc.property(jsonValue, (v) => meaningHash(v) === meaningHash(reorder(v))));
  });

  it('ignores YAML formatting: block vs flow style, quoting, line width (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), jsonValue, { maxKeys: 6 }), (obj) => {
        const a = stringify(obj);
        const b = stringify(reorder(obj), {
          collectionStyle: 'flow',
          defaultStringType: 'QUOTE_DOUBLE',
          lineWidth: 20,
        });
        return meaningHash(parse(a)) === meaningHash(parse(b));
      }),
    );
  });

  it('sees any change of a value, and ignores only top-level version and date', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), jsonValue, { minKeys: 1, maxKeys: 6 }), fc.string(), (obj, extra) => {
        const key = Object.keys(obj)[0]!;
        if (key === 'version' || key === 'date') return true;
        const changed = { ...obj, [key]: [obj[key], extra] };
        return meaningHash(obj) !== meaningHash(changed);
      }),
    );
    const base = { id: 'x', version: 5, date: '2024-09-30', tags: { version: 1 } };
    expect(meaningHash({ ...base, version: 6, date: '2025-01-01' })).toBe(meaningHash(base));
    expect(meaningHash({ ...base, tags: { version: 2 } })).not.toBe(meaningHash(base));
    expect(meaningHash(base, [])).not.toBe(meaningHash({ ...base, version: 6 }, []));
  });

  it('keeps array order and distinguishes types', () => {
    expect(canonicalJson({ b: [2, 1], a: '1' })).toBe('{"a":"1","b":[2,1]}');
    expect(meaningHash({ a: 1 })).not.toBe(meaningHash({ a: '1' }));
  });
});
