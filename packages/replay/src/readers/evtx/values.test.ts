import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hexU32 } from './values.js';

describe('hexU32 (the hand-written hex of HexInt32/HexInt64/SizeT values)', () => {
  it('equals Number#toString(16), unpadded and padded to 8 digits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        expect(hexU32(n)).toBe(n.toString(16));
        expect(hexU32(n, 8)).toBe(n.toString(16).padStart(8, '0'));
      }),
      { numRuns: 2000 },
    );
    expect(hexU32(0)).toBe('0');
    expect(hexU32(0xffffffff)).toBe('ffffffff');
  });
});
