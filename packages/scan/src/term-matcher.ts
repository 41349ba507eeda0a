/**
 * Many `field=pattern` terms tested against one field's values at once, for the rule index: each
 * value is folded once and answers every term with one hash lookup (constant patterns) and one
 * pass of a multi-literal automaton (Aho–Corasick) over it (wildcard patterns), instead of one
 * comparison per term.
 *
 * Matching is Splunk's `=` as the search engine runs it (@dac/search search-expr.ts): the value
 * and the pattern are lower-cased as wholes, `*` matches any run of characters, and the pattern
 * covers the whole value. A `CASE(…)` term is matched the same way, which is broader than Splunk's
 * case-sensitive match (a value equal to `x` is also equal to it lower-cased); the one exception,
 * the context-dependent lower case of Σ, is handled by matching such patterns against any value.
 */
import { asNumber, detachedString, NUMERIC_EQUALITY, wildcardMatch } from '@dac/spl';
import { formatNumber } from '@dac/search';

/** Marks the start and the end of a value in the automaton's text (anchors prefix and suffix literals). */
const START = '\u0001';
const END = '\u0002';

/** A value as the engine compares it: its text (numbers as the engine prints them), lower-cased. */
export function foldValue(v: string | number): string {
  return (typeof v === 'number' ? formatNumber(v) : v).toLowerCase();
}

/**
 * The equality key of a folded value. Were `=` numeric (a documented switch of @dac/spl), `1`
 * and `1.0` would be one key; either way equal values have equal keys.
 */
export function exactKey(folded: string): string {
  if (NUMERIC_EQUALITY) {
    const n = asNumber(folded);
    if (n !== undefined) return String(n);
  }
  return folded;
}

/**
 * Every literal occurrence in a text, for a fixed set of literals: a deterministic automaton over
 * the code units the literals use (any other unit leads back to the start, as no literal holds
 * it). Text is scanned as START + value + END, so `START + "cmd"` finds prefixes and
 * `".exe" + END` suffixes.
 */
export class Automaton {
  private readonly ascii = new Int32Array(128);
  private readonly other = new Map<number, number>();
  private readonly width: number;
  private readonly delta: Int32Array;
  /** Per state: the literals (ids) that end there, including through shorter suffixes. */
  private readonly ends: (readonly number[] | undefined)[];

  constructor(literals: readonly string[]) {
    let width = 1;
    const classOf = (u: number, add: boolean): number => {
      if (u < 128) {
        if (this.ascii[u] === 0 && add) this.ascii[u] = width++;
        return this.ascii[u]!;
      }
      let c = this.other.get(u);
      if (c === undefined && add) this.other.set(u, (c = width++));
      return c ?? 0;
    };
    // The trie, with children by code-unit class.
    const children: Map<number, number>[] = [new Map()];
    const own: number[][] = [[]];
    literals.forEach((lit, id) => {
      let s = 0;
      for (let k = 0; k < lit.length; k++) {
        const c = classOf(lit.charCodeAt(k), true);
        let t = children[s]!.get(c);
        if (t === undefined) {
          t = children.length;
          children.push(new Map());
          own.push([]);
          children[s]!.set(c, t);
        }
        s = t;
      }
      own[s]!.push(id);
    });
    this.width = width;
    const n = children.length;
    const delta = new Int32Array(n * width);
    const fail = new Int32Array(n);
    const ends: (number[] | undefined)[] = new Array(n);
    ends[0] = own[0]!.length > 0 ? own[0] : undefined;
    // Breadth first: a state's failure (its longest proper suffix in the trie) is settled before
    // its children's, and its transitions complete the trie's with the failure's.
    const queue: number[] = [];
    for (const [c, t] of children[0]!) {
      delta[c] = t;
      queue.push(t);
    }
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q]!;
      const f = fail[s]!;
      const e = [...own[s]!, ...(ends[f] ?? [])];
      ends[s] = e.length > 0 ? e : undefined;
      for (let c = 0; c < width; c++) delta[s * width + c] = delta[f * width + c]!;
      for (const [c, t] of children[s]!) {
        delta[s * width + c] = t;
        fail[t] = delta[f * width + c]!;
        queue.push(t);
      }
    }
    this.delta = delta;
    this.ends = ends;
  }

  /** Calls `found` with the id of each literal occurring in START + text + END, once per occurrence. */
  scan(text: string, found: (id: number) => void): void {
    const { delta, width, ends, ascii, other } = this;
    let s = delta[ascii[1]!]!;
    let e = ends[s];
    if (e) for (const id of e) found(id);
    for (let k = 0; k < text.length; k++) {
      const u = text.charCodeAt(k);
      s = delta[s * width + (u < 128 ? ascii[u]! : (other.get(u) ?? 0))]!;
      e = ends[s];
      if (e) for (const id of e) found(id);
    }
    s = delta[s * width + ascii[2]!]!;
    e = ends[s];
    if (e) for (const id of e) found(id);
  }
}

/** How a term is tested: by its folded constant, by a literal its matches contain, or on any value. */
type Reduced = { kind: 'exact'; key: string } | { kind: 'literal'; literal: string } | { kind: 'any' };

/**
 * A literal every value matching `lower` (a lower-cased pattern) contains: the longest of its
 * anchored first piece, anchored last piece and inner pieces (a longer literal meets fewer values).
 */
export function reducePattern(lower: string): Reduced {
  if (!lower.includes('*')) return { kind: 'exact', key: exactKey(lower) };
  // Σ lower-cases by context (final sigma), so a CASE(…) pattern with it cannot be folded piecewise.
  if (/[σς]/.test(lower)) return { kind: 'any' };
  const parts = lower.split('*');
  const candidates: string[] = [];
  if (parts[0]) candidates.push(START + parts[0]);
  if (parts[parts.length - 1]) candidates.push(parts[parts.length - 1] + END);
  for (let k = 1; k < parts.length - 1; k++) if (parts[k]) candidates.push(parts[k]!);
  if (candidates.length === 0) return { kind: 'any' };
  return { kind: 'literal', literal: candidates.reduce((a, b) => (b.length > a.length ? b : a)) };
}

const NO_HITS: readonly number[] = Object.freeze([]);
/** Values remembered per field matcher (then it starts over), and the longest value remembered. */
const MEMO_MAX = 8192;
const MEMO_MAX_LENGTH = 512;

/**
 * The terms on one field: `test(value, hit)` calls `hit(term)` for each term the value (one
 * value of the field, folded with `foldValue`) matches; a term may be reported more than once.
 */
export class FieldMatcher {
  private readonly exact = new Map<string, number[]>();
  private readonly any: number[] = [];
  private readonly automaton: Automaton | undefined;
  /** Per literal of the automaton: its terms and their lower-cased patterns (checked whole on a hit). */
  private readonly byLiteral: { term: number; pattern: string }[][] = [];

  /** `terms[k]` is the lower-cased pattern of term `ids[k]`. */
  constructor(ids: readonly number[], patterns: readonly string[]) {
    const literals = new Map<string, number>();
    ids.forEach((term, k) => {
      const pattern = patterns[k]!;
      const r = reducePattern(pattern);
      if (r.kind === 'exact') {
        const l = this.exact.get(r.key);
        if (l) l.push(term);
        else this.exact.set(r.key, [term]);
      } else if (r.kind === 'any') this.any.push(term);
      else {
        let at = literals.get(r.literal);
        if (at === undefined) {
          literals.set(r.literal, (at = this.byLiteral.length));
          this.byLiteral.push([]);
        }
        this.byLiteral[at]!.push({ term, pattern });
      }
    });
    this.automaton = literals.size > 0 ? new Automaton([...literals.keys()]) : undefined;
  }

  /**
   * The terms one value of the field (as the event holds it, not folded) matches, possibly
   * repeated; remembered by value (a field's values repeat across events: user names, object
   * names, process paths) up to MEMO_MAX values of at most MEMO_MAX_LENGTH characters (a long one
   * is rarely seen twice), each stored detached (a value sliced from the event text would keep the
   * whole text alive for as long as the memo holds it).
   */
  hits(v: string | number): readonly number[] {
    const memoised = typeof v === 'string' && v.length <= MEMO_MAX_LENGTH;
    if (memoised) {
      const h = this.memo.get(v);
      if (h !== undefined) return h;
    }
    const found: number[] = [];
    this.test(foldValue(v), (t) => found.push(t));
    const h = found.length === 0 ? NO_HITS : found;
    if (memoised) {
      if (this.memo.size >= MEMO_MAX) this.memo.clear();
      this.memo.set(detachedString(v as string), h);
    }
    return h;
  }

  private readonly memo = new Map<string, readonly number[]>();

  test(folded: string, hit: (term: number) => void): void {
    for (const t of this.any) hit(t);
    const list = this.exact.size > 0 ? this.exact.get(exactKey(folded)) : undefined;
    if (list) for (const t of list) hit(t);
    if (!this.automaton) return;
    this.folded = folded;
    this.hit = hit;
    this.automaton.scan(folded, this.onLiteral);
  }

  /** The value and callback of the `test` under way (the literal callback is made once, not per value). */
  private folded = '';
  private hit: (term: number) => void = () => {};
  private readonly onLiteral = (lit: number): void => {
    // The literal is necessary, not sufficient: the whole pattern decides.
    for (const { term, pattern } of this.byLiteral[lit]!) if (wildcardMatch(this.folded, pattern)) this.hit(term);
  };
}

/** Whether a folded value matches a lower-cased pattern, as a `FieldMatcher` of that one term says. */
export function matchesFolded(folded: string, lower: string): boolean {
  const r = reducePattern(lower);
  if (r.kind === 'exact') return exactKey(folded) === r.key;
  return r.kind === 'any' || wildcardMatch(folded, lower);
}
