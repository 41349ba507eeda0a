import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comparePyStr, PyFloat, toJson } from './py-json.js';

describe('toJson (Jinja tojson = json.dumps(sort_keys=True) + HTML-safe escapes, escu-app-format.md §4.3)', () => {
  it('sorts keys and uses Python separators', () => {
    expect(toJson({ nist: ['DE.AE'], cis20: ['CIS 10'], mitre_attack: ['T1572'] })).toBe(
      '{"cis20": ["CIS 10"], "mitre_attack": ["T1572"], "nist": ["DE.AE"]}',
    );
  });
  it('writes the seed metadata line exactly (escu-app-format.md §4.5)', () => {
    expect(
      toJson({
        deprecated: '0',
        detection_id: 'e2549f2c-0aef-408a-b0c1-e0f270623436',
        detection_version: '5',
        publish_time: new PyFloat(1727654400),
      }),
    ).toBe(
      '{"deprecated": "0", "detection_id": "e2549f2c-0aef-408a-b0c1-e0f270623436", "detection_version": "5", "publish_time": 1727654400.0}',
    );
  });
  it('escapes <, >, &, \' like Jinja and " like json.dumps', () => {
    expect(toJson('"ATT&CK Tactics"')).toBe('"\\"ATT\\u0026CK Tactics\\""');
    expect(toJson("upper('actors{}.name') <x>")).toBe('"upper(\\u0027actors{}.name\\u0027) \\u003cx\\u003e"');
  });
  it('escapes non-ASCII like ensure_ascii=True (astral characters as surrogate pairs)', () => {
    expect(toJson('é😀\u007f\n\t')).toBe('"\\u00e9\\ud83d\\ude00\\u007f\\n\\t"');
  });
  it('omits undefined keys and writes null, booleans and integers', () => {
    expect(toJson({ a: undefined, b: null, c: true, d: 50 })).toBe('{"b": null, "c": true, "d": 50}');
  });
  it('sorts keys by code point like Python', () => {
    expect(['b', 'B', '\uffff', '😀', 'a'].sort(comparePyStr)).toEqual(['B', 'a', 'b', '\uffff', '😀']);
  });
  it('always yields one line of printable ASCII that parses back to the same value', () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string({ unit: 'grapheme' }),
        fc.string({ unit: 'binary' }),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(json, (v) => {
        const out = toJson(v as never);
        expect(out).toMatch(/^[\x20-\x7e]*$/);
        expect(JSON.parse(out)).toEqual(v);
      }),
      { numRuns: 300 },
    );
  });
});
