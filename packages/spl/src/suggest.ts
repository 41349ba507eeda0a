/**
 * "Did you mean …?" for every misspelt name dac reports: macros, YAML keys and enum values, story,
 * data-source and lookup names, data models, datasets and their fields. One policy everywhere:
 *
 * - distance: Levenshtein (insert, delete, substitute one character), case-insensitive, so a name
 *   differing only in case is the best suggestion;
 * - threshold: at most MAX(2, ⌊length / 3⌋) edits for a word of that length (a third of the word,
 *   and two for short words: `usr` → `user`, `Endpoit` → `Endpoint`);
 * - the candidate equal to the word itself is never suggested; among equally close candidates the
 *   first one wins (callers pass them in a meaningful order).
 */

/** Most edits a suggestion for a word of this length may need (see the module comment). */
export function maxSuggestionDistance(length: number): number {
  return Math.max(2, Math.floor(length / 3));
}

/** Words longer than this get no suggestion (the distance is quadratic in the lengths). */
const MAX_SUGGESTED_LENGTH = 200;

/** The candidate closest to a misspelt word within the policy's threshold, or undefined. */
export function closestName(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length > MAX_SUGGESTED_LENGTH) return undefined;
  const lw = word.toLowerCase();
  let best: string | undefined;
  let bestD = maxSuggestionDistance(word.length) + 1;
  for (const c of candidates) {
    if (c === word || Math.abs(c.length - word.length) >= bestD) continue;
    const d = editDistance(lw, c.toLowerCase(), bestD - 1);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

/** Levenshtein distance of a and b, or any value above `max` once it is certain to exceed it. */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}
