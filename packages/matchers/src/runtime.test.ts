import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eq, globMatch, ge, gt, inList, isNumeric, le, list, lt, ne, pattern, valuesOf } from './runtime.js';

// Facts: ../shared/reference/splunk-semantics.md §1.
describe('runtime: Splunk value matching', () => {
  it('§1.1 values compare case-insensitively', () => {
    expect(eq('NGROK.EXE', pattern('ngrok.exe'))).toBe(true);
    expect(eq('ngrok.exe', pattern('NGROK.exe'))).toBe(true);
    expect(eq('ngrok.exe2', pattern('ngrok.exe'))).toBe(false);
  });

  it('§1.2 `*` is a wildcard anywhere (leading, trailing, middle, only), over the whole value', () => {
    expect(eq('C:\\x\\ngrok.exe', pattern('*\\ngrok.exe'))).toBe(true);
    expect(eq('ngrok.exe START', pattern('*start*'))).toBe(true);
    expect(eq('ngrok.exe', pattern('ngrok*'))).toBe(true);
    expect(eq('10.9.165.7', pattern('10.9.*.7'))).toBe(true);
    expect(eq('anything', pattern('*'))).toBe(true);
    expect(eq('', pattern('*'))).toBe(true);
    // equality covers the whole value: no substring match without wildcards
    expect(eq('C:\\x\\ngrok.exe', pattern('ngrok.exe'))).toBe(false);
    // `*` spans newlines (command lines can contain them)
    expect(eq('a\nb', pattern('a*b'))).toBe(true);
  });

  it('§1.2 regex metacharacters and `?`/`%` are literal', () => {
    expect(eq('a.b', pattern('a.b'))).toBe(true);
    expect(eq('axb', pattern('a.b'))).toBe(false);
    expect(eq('a?c', pattern('a?c'))).toBe(true);
    expect(eq('abc', pattern('a?c'))).toBe(false);
    expect(eq('(x)[y]{z}^$|+\\', pattern('(x)[y]{z}^$|+\\'))).toBe(true);
    expect(eq('a%c', pattern('a%c'))).toBe(true);
  });

  it('§1.3 IN is an OR of equalities with wildcards', () => {
    const l = list(['*start*', 'exact.exe', '*tcp*']);
    expect(inList('ngrok START', l)).toBe(true);
    expect(inList('EXACT.EXE', l)).toBe(true);
    expect(inList('exact.exe.bak', l)).toBe(false);
    expect(inList(undefined, l)).toBe(false);
    expect(inList('x', list([]))).toBe(false);
  });

  it("§1.4 f!=v is false when f is missing (NOT f=v is the caller's negation of eq, true)", () => {
    expect(ne(undefined, pattern('blocked'))).toBe(false);
    expect(ne(null, pattern('blocked'))).toBe(false);
    expect(ne([], pattern('blocked'))).toBe(false);
    expect(!eq(undefined, pattern('blocked'))).toBe(true);
    expect(ne('allowed', pattern('blocked'))).toBe(true);
    expect(ne('BLOCKED', pattern('blocked'))).toBe(false);
  });

  it('§1.7 = compares strings: 1 does not match 1.0; numbers in events compare as their text', () => {
    expect(eq('1', pattern('1.0'))).toBe(false);
    expect(eq(4688, pattern('4688'))).toBe(true);
    expect(eq(4688, pattern('46*'))).toBe(true);
  });

  it('§1.7 ordering: numeric when both are numbers, else code-point order (case-sensitive)', () => {
    expect(gt('100', pattern('70'))).toBe(true);
    expect(gt(100, pattern('9'))).toBe(true);
    expect(lt('1e3', pattern('999'))).toBe(false);
    expect(ge('5', pattern('5.0'))).toBe(true);
    expect(le('-1', pattern('0'))).toBe(true);
    // lexicographic: "10" < "9" only when one side is not a number
    expect(lt('abc', pattern('abd'))).toBe(true);
    expect(lt('Z', pattern('a'))).toBe(true);
    expect(gt('a', pattern('Z'))).toBe(true);
    expect(gt(undefined, pattern('0'))).toBe(false);
    expect(isNumeric('0x1b28')).toBe(false);
    expect(isNumeric('-1.5e3')).toBe(true);
  });

  it('§1.8 multivalue: = matches when any value matches; != when some value differs', () => {
    expect(eq(['a', 'B'], pattern('b'))).toBe(true);
    expect(eq(['a', 'c'], pattern('b'))).toBe(false);
    expect(ne(['b', 'B'], pattern('b'))).toBe(false);
    expect(ne(['b', 'c'], pattern('b'))).toBe(true);
    expect(valuesOf([])).toBeUndefined();
    expect(gt(['1', '50'], pattern('10'))).toBe(true);
  });

  it('pathological wildcard patterns do not backtrack (a RegExp would not return here)', () => {
    expect(eq('a'.repeat(20000), pattern(`${'*a'.repeat(40)}*b`))).toBe(false);
    expect(eq(`${'a'.repeat(20000)}b`, pattern(`${'*a'.repeat(40)}*b`))).toBe(true);
  });

  it('glob matching agrees with an anchored-RegExp reference on random small inputs', () => {
    const toRegex = (p: string) =>
      new RegExp(
        `^${p
          .split('*')
          .map((s) => s.replace(/[\\^$.|?+()[\]{}]/g, '\\$&'))
          .join('[\\s\\S]*')}$`,
      );
    const alphabet = fc.constantFrom('a', 'b', '*', '.', '\\');
    fc.assert(
      fc.property(
        fc.string({ unit: alphabet, maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('a', 'b', '.', '\\'), maxLength: 10 }),
        (pat, value) => {
          const expected = toRegex(pat).test(value);
          const p = pattern(pat);
          const got = p.parts ? globMatch(value, p.parts) : value === p.lower;
          expect(got).toBe(expected);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
