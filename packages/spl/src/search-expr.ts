/**
 * The search language: the `search` command, the implied base search and tstats' WHERE. Boolean
 * precedence is Splunk's (splunk-semantics.md §1.5): parentheses, NOT, OR, then AND, with AND
 * implicit between terms; so `a b OR c` is `a AND (b OR c)`. Operators must be uppercase; values
 * glue adjacent tokens (`x=*(x86)*`); `[…]` is a subsearch. Tokens come from the shared lexer
 * (search grammar).
 */
import type { CompareOp, Literal, SearchExpr } from './ast.js';
import { excerpt } from './diagnostics.js';
import { lex, type Token, TokenStream } from './lexer.js';
import { MAX_NESTING, type ParseContext, span } from './parse-context.js';

const CMP_OPS = new Set(['=', '!=', '<', '<=', '>', '>=', '==']);

/** The search-grammar tokens of [start, end), with unclosed quotes and stray `]` reported. */
export function searchTokens(p: ParseContext, start: number, end: number): TokenStream {
  const ts = new TokenStream(lex(p.text, start, end, 'search').tokens);
  for (const t of ts.tokens) {
    if (t.kind === 'quoted' && t.closed === false) p.error(t.start, t.end, 'unterminated quoted string');
    if (t.kind === 'op' && t.value === ']') p.error(t.start, t.end, 'unmatched "]"');
  }
  return ts;
}

function isKeyword(t: Token, kw: 'AND' | 'OR' | 'NOT' | 'IN'): boolean {
  // Boolean operators must be uppercase (splunk-semantics.md §1.5); a lowercase `or` is a term.
  return t.kind === 'word' && t.raw === kw;
}

/** The search language over a token stream. */
export class SearchParser {
  constructor(
    readonly p: ParseContext,
    readonly ts: TokenStream,
    readonly baseDepth: number,
  ) {}

  /** Whole range: an AND of everything; stray `)` are reported and skipped. */
  top(): SearchExpr | undefined {
    const parts: SearchExpr[] = [];
    for (;;) {
      const e = this.andSeq(0);
      if (e) parts.push(e);
      const t = this.ts.peek();
      if (t.kind === 'eof') break;
      this.ts.next();
      if (t.kind === 'rparen') this.p.error(t.start, t.end, 'unmatched ")"');
    }
    if (parts.length === 0) return undefined;
    if (parts.length === 1) return parts[0];
    return { kind: 'and', args: parts, span: span(parts[0].span.start, parts[parts.length - 1].span.end) };
  }

  /** Implicit/explicit AND of OR-groups (AND binds loosest in the search language). */
  andSeq(depth: number, stop?: (t: Token) => boolean): SearchExpr | undefined {
    const items: SearchExpr[] = [];
    let pendingAnd: Token | undefined;
    for (;;) {
      const t = this.ts.peek();
      if (t.kind === 'eof' || t.kind === 'rparen' || stop?.(t)) break;
      if (isKeyword(t, 'AND')) {
        this.ts.next();
        if (items.length === 0 || pendingAnd) this.p.error(t.start, t.end, 'AND without a left operand');
        pendingAnd = t;
        continue;
      }
      const e = this.orExpr(depth, stop);
      if (!e) continue;
      items.push(e);
      pendingAnd = undefined;
    }
    if (pendingAnd) this.p.error(pendingAnd.start, pendingAnd.end, 'AND without a right operand');
    if (items.length === 0) return undefined;
    if (items.length === 1) return items[0];
    return { kind: 'and', args: items, span: span(items[0].span.start, items[items.length - 1].span.end) };
  }

  orExpr(depth: number, stop?: (t: Token) => boolean): SearchExpr | undefined {
    const first = this.notExpr(depth, stop);
    const args: SearchExpr[] = first ? [first] : [];
    while (isKeyword(this.ts.peek(), 'OR')) {
      const orTok = this.ts.next();
      if (args.length === 0) this.p.error(orTok.start, orTok.end, 'OR without a left operand');
      const nt = this.ts.peek();
      if (nt.kind === 'eof' || nt.kind === 'rparen' || stop?.(nt) || isKeyword(nt, 'OR') || isKeyword(nt, 'AND')) {
        this.p.error(orTok.start, orTok.end, 'OR without a right operand');
        continue;
      }
      const r = this.notExpr(depth, stop);
      if (r) args.push(r);
    }
    if (args.length === 0) return undefined;
    if (args.length === 1) return args[0];
    return { kind: 'or', args, span: span(args[0].span.start, args[args.length - 1].span.end) };
  }

  notExpr(depth: number, stop?: (t: Token) => boolean): SearchExpr | undefined {
    const t = this.ts.peek();
    if (isKeyword(t, 'NOT')) {
      if (this.baseDepth + depth > MAX_NESTING) {
        this.tooDeep(t);
        return undefined;
      }
      this.ts.next();
      const nt = this.ts.peek();
      if (nt.kind === 'eof' || nt.kind === 'rparen' || stop?.(nt) || isKeyword(nt, 'OR') || isKeyword(nt, 'AND')) {
        this.p.error(t.start, t.end, 'NOT without an operand');
        return undefined;
      }
      const arg = this.notExpr(depth + 1, stop);
      if (!arg) return undefined;
      return { kind: 'not', arg, span: span(t.start, arg.span.end) };
    }
    return this.primary(depth, stop);
  }

  tooDeep(t: Token): void {
    this.p.error(
      t.start,
      this.ts.tokens[this.ts.tokens.length - 1].end,
      `expression nested deeper than ${MAX_NESTING}`,
      'spl-unsupported',
    );
    this.ts.i = this.ts.tokens.length - 1;
  }

  primary(depth: number, stop?: (t: Token) => boolean): SearchExpr | undefined {
    const ts = this.ts;
    const t = ts.peek();
    switch (t.kind) {
      case 'lparen': {
        if (this.baseDepth + depth > MAX_NESTING) {
          this.tooDeep(t);
          return undefined;
        }
        ts.next();
        const inner = this.andSeq(depth + 1);
        const close = ts.peek();
        if (close.kind !== 'rparen') {
          this.p.error(t.start, t.end, 'unclosed "(": missing ")"');
          return inner;
        }
        ts.next();
        if (!inner) {
          this.p.error(t.start, close.end, 'empty parentheses');
          return undefined;
        }
        return inner;
      }
      case 'subsearch': {
        ts.next();
        if (t.closed === false) {
          this.p.error(t.start, t.start + 1, 'unclosed "[": subsearch has no closing "]"');
        }
        if (this.baseDepth + depth + 1 > MAX_NESTING) {
          this.p.error(t.start, t.end, `subsearches nested deeper than ${MAX_NESTING}`, 'spl-unsupported');
          return undefined;
        }
        const pipeline = this.p.pipeline(t.innerStart!, t.innerEnd!, this.baseDepth + depth + 1);
        return { kind: 'subsearch', pipeline, span: span(t.start, t.end) };
      }
      case 'op': {
        ts.next();
        if (t.value === ']') return undefined; // reported by the lexer pass
        this.p.error(t.start, t.end, `"${t.value}" without a field name before it`);
        // Skip the value that follows, if any, so one mistake gives one diagnostic.
        const nt = ts.peek();
        if ((nt.kind === 'word' || nt.kind === 'quoted') && !stop?.(nt)) ts.next();
        return undefined;
      }
      case 'comma':
        ts.next();
        return undefined;
      case 'word':
      case 'quoted':
      case 'macro': {
        ts.next();
        const nt = ts.peek();
        if (nt.kind === 'op' && CMP_OPS.has(nt.value)) {
          ts.next();
          const value = this.value(nt);
          const op = (nt.value === '==' ? '=' : nt.value) as CompareOp;
          return {
            kind: 'compare',
            field: t.value,
            fieldSpan: span(t.start, t.end),
            op,
            value,
            span: span(t.start, Math.max(value.span.end, nt.end)),
          };
        }
        if (t.kind !== 'macro' && isKeyword(nt, 'IN') && ts.peek(1).kind === 'lparen') {
          ts.next();
          return this.inList(t);
        }
        if (t.kind === 'word' && (t.raw === 'TERM' || t.raw === 'CASE') && nt.kind === 'lparen' && nt.start === t.end) {
          const lit = this.directive(t);
          return { kind: 'term', value: lit, span: lit.span };
        }
        if (t.kind === 'word' && /^(and|or|not)$/i.test(t.raw)) {
          // Operators must be uppercase (splunk-semantics.md §1.5): `or` is a search term.
          this.p.warn(
            t.start,
            t.end,
            `"${t.raw}" is a search term here, not an operator: Boolean operators must be uppercase (${t.raw.toUpperCase()})`,
          );
        }
        return {
          kind: 'term',
          value: { value: t.value, quoted: t.kind === 'quoted', span: span(t.start, t.end) },
          span: span(t.start, t.end),
        };
      }
      default:
        return undefined;
    }
  }

  /** `TERM(x)` / `CASE(x)`: the directive token is consumed; the cursor is at `(`. */
  directive(d: Token): Literal {
    const ts = this.ts;
    const lp = ts.next();
    const parts: Token[] = [];
    let close: Token | undefined;
    while (ts.peek().kind !== 'eof') {
      const x = ts.next();
      if (x.kind === 'rparen') {
        close = x;
        break;
      }
      parts.push(x);
    }
    if (!close) this.p.error(lp.start, lp.end, `unclosed "(" after ${d.raw}`);
    const end = close ? close.end : parts.length ? parts[parts.length - 1].end : lp.end;
    const value = parts.length === 1 ? parts[0].value : this.p.text.slice(lp.end, close ? close.start : end).trim();
    const lit: Literal = { value, quoted: parts.length === 1 && parts[0].kind === 'quoted', span: span(d.start, end) };
    if (d.raw === 'CASE') lit.caseSensitive = true;
    else lit.term = true;
    return lit;
  }

  /**
   * The value after a comparison operator: adjacent tokens glue together (`a=b=c`, `x=*(x86)*`,
   * `x=<tag>`); whitespace or an unbalanced `)` ends it.
   */
  value(opTok: Token): Literal {
    const ts = this.ts;
    const first = ts.peek();
    if (
      !(
        first.kind === 'word' ||
        first.kind === 'quoted' ||
        first.kind === 'macro' ||
        (first.kind === 'op' && first.value !== ']') ||
        (first.kind === 'lparen' && first.start === opTok.end)
      )
    ) {
      this.p.error(opTok.start, opTok.end, `missing value after "${opTok.value}"`);
      return { value: '', quoted: false, span: span(opTok.end, opTok.end) };
    }
    if (
      first.kind === 'word' &&
      (first.raw === 'CASE' || first.raw === 'TERM') &&
      ts.peek(1).kind === 'lparen' &&
      ts.peek(1).start === first.end
    ) {
      ts.next();
      return this.directive(first);
    }
    ts.next();
    let value = first.value;
    let end = first.end;
    let paren = first.kind === 'lparen' ? 1 : 0;
    for (;;) {
      const t = ts.peek();
      if (t.start !== end) break;
      if (
        t.kind === 'word' ||
        t.kind === 'quoted' ||
        t.kind === 'macro' ||
        t.kind === 'comma' ||
        (t.kind === 'op' && t.value !== ']')
      ) {
        // no-op: glued below
      } else if (t.kind === 'lparen') paren++;
      else if (t.kind === 'rparen' && paren > 0) paren--;
      else break;
      ts.next();
      value += t.kind === 'lparen' || t.kind === 'rparen' || t.kind === 'comma' || t.kind === 'op' ? t.raw : t.value;
      end = t.end;
    }
    return { value, quoted: first.kind === 'quoted', span: span(first.start, end) };
  }

  /** `field IN ( v1, v2 … )`; the cursor is at `(`. */
  inList(field: Token): SearchExpr {
    const ts = this.ts;
    const lp = ts.next();
    const values: Literal[] = [];
    let end = lp.end;
    let closed = false;
    for (;;) {
      const t = ts.peek();
      if (t.kind === 'eof') break;
      if (t.kind === 'rparen') {
        ts.next();
        end = t.end;
        closed = true;
        break;
      }
      if (t.kind === 'comma') {
        ts.next();
        continue;
      }
      if (t.kind === 'word' || t.kind === 'quoted' || t.kind === 'macro') {
        ts.next();
        let value = t.value;
        let vEnd = t.end;
        // Adjacent pieces glue (`"a"b`, `a=b`), commas separate.
        for (;;) {
          const n = ts.peek();
          if (n.start !== vEnd || !(n.kind === 'word' || n.kind === 'quoted' || (n.kind === 'op' && n.value !== ']')))
            break;
          ts.next();
          value += n.kind === 'op' ? n.raw : n.value;
          vEnd = n.end;
        }
        values.push({ value, quoted: t.kind === 'quoted', span: span(t.start, vEnd) });
        end = vEnd;
        continue;
      }
      ts.next();
      this.p.error(t.start, Math.max(t.end, t.start + 1), `unexpected "${excerpt(t.raw || t.kind, 20)}" in IN list`);
    }
    if (!closed) this.p.error(lp.start, lp.end, 'unclosed IN list: missing ")"');
    else if (values.length === 0) this.p.error(field.start, end, 'empty IN list');
    return {
      kind: 'in',
      field: field.value,
      fieldSpan: span(field.start, field.end),
      values,
      span: span(field.start, end),
    };
  }
}
