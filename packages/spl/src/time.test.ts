import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { strftime, strftimeReference, strptime } from './time.js';

/** Every specifier the formatter knows, a few it does not, and the `:`/digit forms. */
const SPECIFIERS = [...'YymdeHkIlMSpjbhBaAwuFTRDcxXZzsNQf%+'].map((c) => `%${c}`);
const FORMAT_PIECES = [
  ...SPECIFIERS,
  '%3N',
  '%6N',
  '%9N',
  '%3Q',
  '%0N',
  '%:z',
  '%:Y',
  '%q',
  '%K',
  '%',
  '%5',
  '%:',
  ' ',
  '-',
  'T',
  ':',
  '/',
  'abc',
  '%%Y',
];

const format = fc
  .array(fc.oneof(fc.constantFrom(...FORMAT_PIECES), fc.string({ maxLength: 4 })), { maxLength: 8 })
  .map((p) => p.join(''));

/** Epochs of every kind: whole and fractional seconds, negative, far out of range, not numbers. */
const epoch = fc.oneof(
  fc.integer({ min: -62_167_219_200, max: 253_402_300_799 }),
  fc.double({ min: -1e11, max: 1e11, noNaN: true }),
  fc.integer({ min: 1_600_000_000, max: 1_800_000_000 }).map((s) => s + 0.123456),
  fc.constantFrom(0, -0, 0.5, -0.5, 8.64e12, 8.64e12 + 1, Number.NaN, Number.POSITIVE_INFINITY, 1e300),
);

describe('strftime', () => {
  it('renders the documented specifiers in UTC', () => {
    expect(strftime(1700000000.123456, '%Y-%m-%dT%H:%M:%S.%3N %Z %s %j %e')).toBe(
      '2023-11-14T22:13:20.123 UTC 1700000000 318 14',
    );
    expect(strftime(Number.NaN, '%Y')).toBe('');
  });

  it('compiled and remembering: the same text as the plain formatter for any epoch and format', () => {
    fc.assert(
      fc.property(format, fc.array(epoch, { minLength: 1, maxLength: 6 }), (f, epochs) => {
        // Each epoch twice: the second call is answered by the memo.
        for (const e of [...epochs, ...epochs]) expect(strftime(e, f)).toBe(strftimeReference(e, f));
      }),
      { numRuns: 500 },
    );
  });

  it('the memo keyed by the whole second only when the format reads no fraction', () => {
    expect(strftime(100.25, '%S.%3N')).toBe('40.250');
    expect(strftime(100.75, '%S.%3N')).toBe('40.750');
    expect(strftime(100.25, '%S')).toBe('40');
    expect(strftime(100.75, '%S %s')).toBe('40 100');
  });

  it('a format too long to remember (it may come from a field value) gives the same text, unremembered', () => {
    const long = `%Y-%m-%d ${'x'.repeat(300)} %H:%M:%S %3N`;
    for (const e of [0, 1.25, 1700000000.5, Number.NaN]) expect(strftime(e, long)).toBe(strftimeReference(e, long));
  });

  it('strptime reads back what strftime wrote', () => {
    expect(strptime(strftime(1700000000, '%Y-%m-%dT%H:%M:%S'), '%Y-%m-%dT%H:%M:%S')).toBe(1700000000);
  });
});
