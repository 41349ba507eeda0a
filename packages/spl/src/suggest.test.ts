import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closestName, editDistance, maxSuggestionDistance } from './suggest.js';

describe('did-you-mean policy', () => {
  it('suggests within a third of the word (at least 2 edits), case-insensitively', () => {
    expect(maxSuggestionDistance(3)).toBe(2);
    expect(maxSuggestionDistance(30)).toBe(10);
    expect(closestName('usr', ['user', 'dest'])).toBe('user');
    expect(closestName('endpoit', ['Endpoint'])).toBe('Endpoint');
    expect(closestName('zzz', ['Demo Story'])).toBeUndefined();
    expect(closestName('abcdefgh', ['abxyzfgh'])).toBeUndefined();
  });

  it('never suggests the word itself; the first of equally close candidates wins', () => {
    expect(closestName('name', ['name'])).toBeUndefined();
    expect(closestName('Name', ['name'])).toBe('name');
    expect(closestName('cat', ['bat', 'hat'])).toBe('bat');
  });

  it('editDistance is the Levenshtein distance (symmetric, bounded by the longer length)', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const d = editDistance(a, b);
        expect(editDistance(b, a)).toBe(d);
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
        // The bounded form agrees below its bound and exceeds it above.
        const bounded = editDistance(a, b, 2);
        if (d <= 2) expect(bounded).toBe(d);
        else expect(bounded).toBeGreaterThan(2);
      }),
    );
  });
});
