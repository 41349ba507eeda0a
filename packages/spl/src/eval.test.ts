import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EvalExpr, GenericCommand } from './ast.js';
import {
  codePointLength,
  SUPPORTED_EVAL_FUNCTIONS,
  applyEvalAssignments,
  cidrMatch,
  evaluateEval,
  evaluateWhere,
  likeMatch,
  relativeTime,
  type EvalRow,
} from './eval.js';
import { parsePipeline } from './parser.js';

function whereExpr(text: string): EvalExpr {
  const r = parsePipeline(`| where ${text}`);
  expect(r.diagnostics).toEqual([]);
  const e = (r.pipeline.commands[0] as GenericCommand).expr;
  if (!e) throw new Error('no expr');
  return e;
}
const where = (text: string, row: EvalRow) => {
  const r = evaluateWhere(whereExpr(text), row);
  if (!r.ok) throw new Error(r.message);
  return r.keep;
};
const val = (text: string, row: EvalRow = {}) => {
  const r = evaluateEval(whereExpr(text), row, { now: 1000 });
  if (!r.ok) throw new Error(r.message);
  return r.value;
};

describe('eval/where interpreter', () => {
  it('§1.5 eval precedence: AND binds tighter than OR', () => {
    expect(where('a=1 AND b=2 OR c=3', { c: 3 })).toBe(true);
    expect(where('a=1 AND b=2 OR c=3', { a: 1 })).toBe(false);
  });

  it('numbers compare numerically, strings case-sensitively (§1.1 where/eval)', () => {
    expect(where('count > 5', { count: '10' })).toBe(true);
    expect(where('count > 5', { count: '4' })).toBe(false);
    expect(where('x="ABC"', { x: 'abc' })).toBe(false);
    expect(where('x="abc"', { x: 'abc' })).toBe(true);
  });

  it('a missing field makes a comparison null, and where drops the row; NOT of null stays null', () => {
    expect(where('x!="a"', {})).toBe(false);
    expect(where('NOT x="a"', {})).toBe(false);
    expect(where('isnull(x)', {})).toBe(true);
  });

  it('three-valued AND/OR', () => {
    expect(where('x="a" OR y=1', { y: 1 })).toBe(true);
    expect(where('x="a" AND y=1', { y: 2 })).toBe(false);
  });

  it('§1.4 (eval side) like() uses % and _, not *; in() has no wildcards (§1.3)', () => {
    expect(where('like(p, "%.exe")', { p: 'cmd.exe' })).toBe(true);
    expect(where('like(p, "c_d.exe")', { p: 'cmd.exe' })).toBe(true);
    expect(where('like(p, "*.exe")', { p: 'cmd.exe' })).toBe(false);
    expect(where('p LIKE "%md%"', { p: 'cmd.exe' })).toBe(true);
    expect(where('p IN ("cmd*", "x")', { p: 'cmd.exe' })).toBe(false);
    expect(where('in(p, "cmd.exe", "x")', { p: 'cmd.exe' })).toBe(true);
  });

  it('functions used by ESCU: if, case, coalesce, match, replace, mvindex, split, mvcount, lower, len, round', () => {
    expect(val('if(a>1, "big", "small")', { a: 3 })).toBe('big');
    expect(val('case(a=1, "one", a=2, "two", 1=1, "other")', { a: 2 })).toBe('two');
    expect(val('coalesce(x, y, "d")', { y: 'Y' })).toBe('Y');
    expect(val('match(p, "(?i)^CMD")', { p: 'cmd.exe' })).toBe(true);
    expect(val('replace(p, "^(\\\\w+)\\\\.exe$", "\\\\1")', { p: 'cmd.exe' })).toBe('cmd');
    expect(val('mvindex(split(path, "\\\\"), -1)', { path: 'C:\\Windows\\cmd.exe' })).toBe('cmd.exe');
    expect(val('mvcount(split("a,b,c", ","))')).toBe(3);
    expect(val('lower("AbC") . "-" . len("héllo")')).toBe('abc-5');
    expect(val('round(2.567, 2)')).toBe(2.57);
    expect(val('now() - 10')).toBe(990);
    expect(val('substr("abcdef", 2, 3)')).toBe('bcd');
    expect(val('tostring(255, "hex")')).toBe('0xFF');
    expect(val('cidrmatch("10.0.0.0/8", ip)', { ip: '10.1.2.3' })).toBe(true);
    expect(val('mvcount(mvfilter(match(t, "^for$")))', { t: ['for', 'x', 'for'] })).toBe(2);
    expect(val('mvfilter(t != "x")', { t: ['x', 'y'] })).toEqual(['y']);
  });

  it('+ adds numbers and concatenates strings; . and arithmetic with null give null', () => {
    expect(val('1 + 2')).toBe(3);
    expect(val('"a" + 1')).toBe('a1');
    expect(val('x . "a"', {})).toBe(null);
    expect(val('x * 2', {})).toBe(null);
    expect(val('4 / 0')).toBe(null);
  });

  it('multivalue fields compare true when any value does', () => {
    expect(where('h="b"', { h: ['a', 'b'] })).toBe(true);
  });

  it('unsupported functions and clock functions without options.now are reported, not guessed', () => {
    const r = evaluateEval(whereExpr('relative_time(now(), "-1d")'), {});
    expect(r).toMatchObject({ ok: false, message: expect.stringContaining('pass options.now') });
    const e = whereExpr('cluster_label(_time, "%Y")');
    const r2 = evaluateEval(e, {});
    expect(r2).toMatchObject({ ok: false, message: expect.stringContaining('cluster_label() is not supported') });
  });

  it('eval assignments run left to right and see earlier ones; null removes the field', () => {
    const c = parsePipeline('| eval a=1, b=a+1, x=null()').pipeline.commands[0] as GenericCommand;
    const r = applyEvalAssignments(c.assignments!, { x: 'old' });
    expect(r).toEqual({ ok: true, row: { a: 1, b: 2 } });
  });

  it('likeMatch agrees with a RegExp model and stays linear', () => {
    const s = fc.stringMatching(/^[ab%_]{0,8}$/);
    fc.assert(
      fc.property(
        s.map((x) => x.replace(/[%_]/g, '')),
        s,
        (v, p) => {
          const re = new RegExp(
            `^${[...p].map((ch) => (ch === '%' ? '[\\s\\S]*' : ch === '_' ? '[\\s\\S]' : ch)).join('')}$`,
          );
          expect(likeMatch(v, p)).toBe(re.test(v));
        },
      ),
      { numRuns: 1000 },
    );
    expect(likeMatch('a'.repeat(3000), `${'%a'.repeat(200)}%b`)).toBe(false);
  });

  it('SUPPORTED_EVAL_FUNCTIONS lists exactly the functions that evaluate', () => {
    for (const fn of SUPPORTED_EVAL_FUNCTIONS) {
      const r = evaluateEval({ kind: 'call', fn, args: [], span: { start: 0, end: 0 } }, {}, { now: 1 });
      if (!r.ok) expect(r.message).not.toContain('is not supported');
    }
  });

  it('relative_time applies Splunk time modifiers in UTC (offsets, snapping, weekdays, months)', () => {
    const t = Date.UTC(2024, 8, 18, 14, 35, 12) / 1000; // Wednesday 2024-09-18 14:35:12Z
    const iso = (x: number | undefined) => (x === undefined ? 'bad' : new Date(x * 1000).toISOString());
    expect(iso(relativeTime(t, '-24h'))).toBe('2024-09-17T14:35:12.000Z');
    expect(iso(relativeTime(t, '-1d@d'))).toBe('2024-09-17T00:00:00.000Z');
    expect(iso(relativeTime(t, '@w1'))).toBe('2024-09-16T00:00:00.000Z');
    expect(iso(relativeTime(t, '@w0'))).toBe('2024-09-15T00:00:00.000Z');
    expect(iso(relativeTime(t, '-1mon@mon+8h'))).toBe('2024-08-01T08:00:00.000Z');
    expect(iso(relativeTime(t, '@q'))).toBe('2024-07-01T00:00:00.000Z');
    expect(iso(relativeTime(t, '@y'))).toBe('2024-01-01T00:00:00.000Z');
    expect(iso(relativeTime(t, '-30m@m'))).toBe('2024-09-18T14:05:00.000Z');
    expect(relativeTime(t, 'now')).toBe(t);
    expect(relativeTime(t, '-1fortnight')).toBeUndefined();
    expect(val('relative_time(now(), "-1d@d")')).toBe(-86400);
  });

  it('cidrMatch handles masks and rejects malformed input', () => {
    expect(cidrMatch('192.168.0.0/16', '192.168.255.1')).toBe(true);
    expect(cidrMatch('192.168.0.0/16', '192.169.0.1')).toBe(false);
    expect(cidrMatch('0.0.0.0/0', '8.8.8.8')).toBe(true);
    expect(cidrMatch('10.0.0.0/33', '10.0.0.1')).toBe(false);
    expect(cidrMatch('10.0.0.0/8', 'fe80::1')).toBe(false);
  });

  it('never throws on random expressions from the parser', () => {
    const tok = fc.constantFrom(
      'a',
      'b',
      '1',
      '"x"',
      '(',
      ')',
      ',',
      '+',
      '-',
      '.',
      '*',
      '/',
      '=',
      '!=',
      '<',
      'AND',
      'OR',
      'NOT',
      'if(',
      'case(',
      'len(',
      'mvindex(',
      'like(',
      'in(',
      'IN',
      ' ',
    );
    fc.assert(
      fc.property(fc.array(tok, { maxLength: 30 }), (ts) => {
        const r = parsePipeline(`| where ${ts.join(' ')}`);
        const e = (r.pipeline.commands[0] as GenericCommand | undefined)?.expr;
        if (e) evaluateEval(e, { a: '2', b: ['x', 'y'] });
      }),
      { numRuns: 500 },
    );
  });
});

describe('codePointLength (len) against [...s].length', () => {
  it('counts code points as the spread does, for any UTF-16 text (lone surrogates included)', () => {
    const unit = fc.oneof(
      fc.constantFrom('a', '\ud83d', '\ude00', '\ud83d\ude00', 'é', '\udbff', '\udc00', ''),
      fc.string({ unit: 'binary', maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 12 }), (parts) => {
        const s = parts.join('');
        expect(codePointLength(s)).toBe([...s].length);
      }),
      { numRuns: 2000 },
    );
  });
});
