/**
 * The eval function library added for the search engine (issue 10): time, hashes, JSON, printf,
 * multivalue helpers, PCRE-backed match()/replace(). Facts from Splunk's "Evaluation functions"
 * reference pages unless marked.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EvalExpr, GenericCommand } from './ast.js';
import { evaluateEval, printf, SUPPORTED_EVAL_FUNCTIONS, type EvalRow } from './eval.js';
import { parsePipeline } from './parser.js';
import { compilePcre, translatePcre } from './regex.js';
import { strftime, strptime } from './time.js';

function expr(text: string): EvalExpr {
  const r = parsePipeline(`| where ${text}`);
  expect(r.diagnostics).toEqual([]);
  return (r.pipeline.commands[0] as GenericCommand).expr!;
}
const val = (text: string, row: EvalRow = {}) => {
  const r = evaluateEval(expr(text), row, { now: 1_600_000_000 });
  if (!r.ok) throw new Error(r.message);
  return r.value;
};

describe('time functions (UTC)', () => {
  it('strftime renders Splunk conversion specifiers', () => {
    expect(strftime(1610667699.5, '%Y-%m-%dT%H:%M:%S.%3N')).toBe('2021-01-14T23:41:39.500');
    expect(strftime(0, '%a %b %e %H:%M:%S %Y')).toBe('Thu Jan  1 00:00:00 1970');
    expect(strftime(86400 * 45, '%j %F %T %s %%')).toBe('046 1970-02-15 00:00:00 3888000 %');
    expect(val('strftime(_time, "%Y")', { _time: 1610667699 })).toBe('2021');
  });
  it('strptime parses what strftime renders, and ignores trailing text', () => {
    expect(strptime('2021-01-14T23:41:39.500', '%Y-%m-%dT%H:%M:%S.%3N')).toBe(1610667699.5);
    expect(strptime('01/14/2021 11:41:39 PM', '%m/%d/%Y %I:%M:%S %p')).toBe(1610667699);
    expect(strptime('2021-01-14 23:41:39 +0100', '%Y-%m-%d %H:%M:%S %z')).toBe(1610667699 - 3600);
    expect(strptime('14 Jan 2021 rest', '%d %b %Y')).toBe(Date.UTC(2021, 0, 14) / 1000);
    expect(strptime('not a date', '%Y-%m-%d')).toBeUndefined();
    // Year 50 is year 50 (not Date.UTC's 1950).
    expect(strptime('0050-01-01', '%Y-%m-%d')).toBe(new Date(0).setUTCFullYear(50, 0, 1) / 1000);
    expect(val('strptime("2020-09-13", "%Y-%m-%d")')).toBe(Date.UTC(2020, 8, 13) / 1000);
    expect(val('strptime("x", "%Y")')).toBe(null);
  });
  it('tostring(X, "duration") renders [D+]HH:MM:SS', () => {
    expect(val('tostring(3725, "duration")')).toBe('01:02:05');
    expect(val('tostring(90061, "duration")')).toBe('1+01:01:01');
  });
});

describe('hashes, JSON, printf', () => {
  it('md5/sha1/sha256/sha512 hash the UTF-8 string as lowercase hex', () => {
    for (const fn of ['md5', 'sha1', 'sha256', 'sha512'])
      expect(val(`${fn}("abc")`)).toBe(createHash(fn).update('abc').digest('hex'));
  });
  it('json_extract / spath(): dotted paths, {} arrays, objects come back as JSON text', () => {
    const j = JSON.stringify({ a: { b: [{ c: 1 }, { c: 'x' }] }, s: 'v' });
    expect(val('json_extract(j, "s")', { j })).toBe('v');
    expect(val('json_extract(j, "a.b{}.c")', { j })).toEqual([1, 'x']);
    expect(val('spath(j, "a.b{2}.c")', { j })).toBe('x'); // spath counts array elements from 1 [unverified]
    expect(val('json_extract(j, "a.b{0}.c")', { j })).toBe(1);
    expect(val('json_extract(j, "a")', { j })).toBe(JSON.stringify({ b: [{ c: 1 }, { c: 'x' }] }));
    expect(val('json_extract(j, "nope")', { j })).toBe(null);
    expect(val('json_valid(j)', { j })).toBe(true);
    expect(val('json_valid("{")')).toBe(false);
    expect(val('json_keys(j)', { j })).toBe('["a","s"]');
  });
  it('printf follows C conversions', () => {
    expect(printf('%05.2f|%-4s|%x|%+d|%%', [1.23456, 'ab', 255, 7])).toBe('01.23|ab  |ff|+7|%');
    expect(val('printf("%s=%d", "n", 42)')).toBe('n=42');
  });
});

describe('multivalue and type functions', () => {
  it('mvsort sorts lexicographically; mvzip pairs; mvmap maps each value', () => {
    expect(val('mvsort(split("b,a,10,9", ","))')).toEqual(['10', '9', 'a', 'b']);
    expect(val('mvzip(split("a,b", ","), split("1,2", ","))')).toEqual(['a,1', 'b,2']);
    expect(val('mvmap(x, x . "!")', { x: ['a', 'b'] })).toEqual(['a!', 'b!']);
    expect(val('mvrange(1, 4)')).toEqual([1, 2, 3]);
  });
  it('typeof names eval types; isint; nullif; validate', () => {
    expect(val('typeof(1)')).toBe('Number');
    expect(val('typeof("a")')).toBe('String');
    expect(val('typeof(1==1)')).toBe('Boolean');
    expect(val('typeof(nofield)')).toBe('Invalid');
    expect(val('isint(4)')).toBe(true);
    expect(val('isint(4.5)')).toBe(false);
    expect(val('nullif(a, "x")', { a: 'x' })).toBe(null);
    expect(val('validate(a>0, "neg", a<10, "big")', { a: 11 })).toBe('big');
  });
  it('every listed function is known to the interpreter (no "not supported" for a listed name)', () => {
    for (const fn of SUPPORTED_EVAL_FUNCTIONS) {
      const r = evaluateEval({ kind: 'call', fn, args: [], span: { start: 0, end: 0 } }, {}, { now: 1 });
      if (!r.ok) expect(r.message).not.toMatch(/is not supported by the local interpreter/);
    }
  });
});

describe('PCRE translation (Splunk regexes are PCRE)', () => {
  it('leading inline options become flags; (?P<name>) named groups', () => {
    expect(translatePcre('(?i)abc')).toEqual({ ok: true, source: 'abc', flags: 'i' });
    const re = compilePcre('(?P<x>\\d+)-(?P=x)');
    expect(re).toBeInstanceOf(RegExp);
    expect((re as RegExp).exec('12-12')?.groups?.x).toBe('12');
  });
  it('PCRE $ matches before a final newline; . matches \\r but not \\n', () => {
    const dollar = compilePcre('exe$') as RegExp;
    expect(dollar.test('a.exe\n')).toBe(true);
    expect(dollar.test('a.exe\nb')).toBe(false);
    const dot = compilePcre('a.b') as RegExp;
    expect(dot.test('a\rb')).toBe(true);
    expect(dot.test('a\nb')).toBe(false);
    expect((compilePcre('(?s)a.b') as RegExp).test('a\nb')).toBe(true);
  });
  it('\\A \\z \\Q…\\E, POSIX classes, \\x{…}', () => {
    expect((compilePcre('\\Aab\\z') as RegExp).test('ab')).toBe(true);
    expect((compilePcre('\\Q.*\\E') as RegExp).test('.*')).toBe(true);
    expect((compilePcre('\\Q.*\\E') as RegExp).test('ab')).toBe(false);
    expect((compilePcre('^[[:digit:]]+$') as RegExp).test('123')).toBe(true);
    expect((compilePcre('\\x{41}') as RegExp).test('A')).toBe(true);
  });
  it('features without a JavaScript equivalent are reported by name, never approximated', () => {
    expect(compilePcre('(?>a+)b')).toEqual({ error: expect.stringMatching(/atomic/) });
    expect(compilePcre('a++b')).toEqual({ error: expect.stringMatching(/possessive/) });
    expect(compilePcre('a(?i)b')).toEqual({ error: expect.stringMatching(/no JavaScript equivalent/) });
    expect(compilePcre('(')).toEqual({ error: expect.stringMatching(/not a valid regular expression/) });
  });
  it('match() and replace() use PCRE semantics and \\1 back-references', () => {
    expect(val('match(x, "(?i)^CMD\\.EXE$")', { x: 'cmd.exe' })).toBe(true);
    expect(val('replace(x, "(\\w+)@(\\w+)", "\\2 at \\1")', { x: 'u@h' })).toBe('h at u');
    expect(val('replace(x, "a", "b")', { x: 'aaa' })).toBe('bbb');
  });
});
