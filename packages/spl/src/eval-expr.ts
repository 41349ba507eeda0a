/**
 * The eval-language expressions of `eval` and `where`: conventional precedence NOT > AND > XOR >
 * OR, then comparisons, `+ - .`, `* / %` and unary operators (splunk-semantics.md §1.5); no
 * wildcards, `.` concatenates, keywords in any case. Tokens come from the shared lexer (eval
 * grammar). A problem ends the expression with one diagnostic (the command keeps no expression).
 */
import type { EvalAssignment, EvalBinaryOp, EvalExpr } from './ast.js';
import { excerpt } from './diagnostics.js';
import { lex, type Token, TokenStream } from './lexer.js';
import { MAX_NESTING, type ParseContext, span } from './parse-context.js';

class EvalSyntaxError extends Error {
  constructor(
    readonly start: number,
    readonly end: number,
    message: string,
    readonly rule: 'spl-syntax' | 'spl-unsupported' = 'spl-syntax',
  ) {
    super(message);
  }
}

const EVAL_KEYWORDS = new Set(['AND', 'OR', 'XOR', 'NOT', 'LIKE', 'IN']);

/** eval/where expressions: conventional precedence NOT > AND > XOR > OR (splunk-semantics.md §1.5). */
export class EvalParser {
  private ts = new TokenStream([]);
  constructor(
    readonly p: ParseContext,
    readonly start: number,
    readonly end: number,
    readonly depth: number,
  ) {}

  /** Lexes the expression with the shared lexer (eval grammar); its first error ends the expression. */
  lex(): void {
    const { tokens, error } = lex(this.p.text, this.start, this.end, 'eval', {
      foreachTemplates: this.p.inForeach,
    });
    if (error) throw new EvalSyntaxError(error.start, error.end, error.message);
    this.ts = new TokenStream(tokens);
  }

  run<T>(f: () => T): T | undefined {
    try {
      this.lex();
      return f();
    } catch (e) {
      if (e instanceof EvalSyntaxError) {
        this.p.error(e.start, Math.max(e.end, e.start + 1), e.message, e.rule);
        return undefined;
      }
      if (e instanceof RangeError) {
        this.p.error(this.start, this.end, 'expression too deeply nested', 'spl-unsupported');
        return undefined;
      }
      throw e;
    }
  }

  whereExpr(): EvalExpr | undefined {
    return this.run(() => {
      const e = this.orE(0);
      this.expectEnd();
      return e;
    });
  }

  assignments(): EvalAssignment[] | undefined {
    return this.run(() => {
      const out: EvalAssignment[] = [];
      for (;;) {
        const t = this.next();
        if (!(t.kind === 'ident' || t.kind === 'quoted' || t.kind === 'quotedField' || t.kind === 'macro'))
          throw new EvalSyntaxError(
            t.start,
            Math.max(t.end, t.start + 1),
            `expected a field name to assign, found "${excerpt(this.p.text.slice(t.start, t.end) || 'end of command', 30)}"`,
          );
        // Unquoted targets may contain characters the expression lexer splits on (ESCU has
        // `unusual_cmdline_feature_-value=…`): glue adjacent tokens up to the `=`.
        let field = t.value;
        let fieldEnd = t.end;
        while (
          t.kind === 'ident' &&
          this.peek().start === fieldEnd &&
          !this.punct(this.peek(), '=') &&
          this.peek().kind !== 'eof' &&
          !this.punct(this.peek(), '==')
        ) {
          const g = this.next();
          field += this.p.text.slice(g.start, g.end);
          fieldEnd = g.end;
        }
        const eq = this.next();
        if (!(eq.kind === 'op' && eq.value === '='))
          throw new EvalSyntaxError(
            eq.start,
            Math.max(eq.end, eq.start + 1),
            `expected "=" after eval target ${field}`,
          );
        const expr = this.orE(0);
        out.push({ field, fieldSpan: span(t.start, fieldEnd), expr, span: span(t.start, expr.span.end) });
        const sep = this.peek();
        if (sep.kind === 'eof') break;
        if (sep.kind === 'comma') {
          this.next();
          continue;
        }
        throw new EvalSyntaxError(
          sep.start,
          Math.max(sep.end, sep.start + 1),
          `unexpected "${excerpt(this.p.text.slice(sep.start, sep.end), 30)}" after eval expression (missing "," or operator?)`,
        );
      }
      return out;
    });
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.kind !== 'eof')
      throw new EvalSyntaxError(
        t.start,
        Math.max(t.end, t.start + 1),
        `unexpected "${excerpt(this.p.text.slice(t.start, t.end), 30)}" in expression`,
      );
  }

  peek(k = 0): Token {
    return this.ts.peek(k);
  }
  next(): Token {
    return this.ts.next();
  }
  kw(t: Token, k: string): boolean {
    return t.kind === 'ident' && t.value.toUpperCase() === k;
  }
  /** An operator, parenthesis or comma. */
  punct(t: Token, v: string): boolean {
    return (t.kind === 'op' || t.kind === 'lparen' || t.kind === 'rparen' || t.kind === 'comma') && t.value === v;
  }
  guard(d: number, t: Token): void {
    if (this.depth + d > MAX_NESTING)
      throw new EvalSyntaxError(t.start, this.end, `expression nested deeper than ${MAX_NESTING}`, 'spl-unsupported');
  }

  bin(op: EvalBinaryOp, left: EvalExpr, right: EvalExpr): EvalExpr {
    return { kind: 'binary', op, left, right, span: span(left.span.start, right.span.end) };
  }

  orE(d: number): EvalExpr {
    let l = this.xorE(d);
    while (this.kw(this.peek(), 'OR')) {
      this.next();
      l = this.bin('OR', l, this.xorE(d));
    }
    return l;
  }
  xorE(d: number): EvalExpr {
    let l = this.andE(d);
    while (this.kw(this.peek(), 'XOR')) {
      this.next();
      l = this.bin('XOR', l, this.andE(d));
    }
    return l;
  }
  andE(d: number): EvalExpr {
    let l = this.notE(d);
    while (this.kw(this.peek(), 'AND')) {
      this.next();
      l = this.bin('AND', l, this.notE(d));
    }
    return l;
  }
  notE(d: number): EvalExpr {
    const t = this.peek();
    if (this.kw(t, 'NOT')) {
      this.guard(d, t);
      this.next();
      const arg = this.notE(d + 1);
      return { kind: 'unary', op: 'NOT', arg, span: span(t.start, arg.span.end) };
    }
    return this.cmpE(d);
  }
  cmpE(d: number): EvalExpr {
    let l = this.addE(d);
    for (;;) {
      const t = this.peek();
      if (t.kind === 'op' && ['=', '==', '!=', '<', '<=', '>', '>='].includes(t.value)) {
        this.next();
        l = this.bin(t.value as EvalBinaryOp, l, this.addE(d));
        continue;
      }
      if (this.kw(t, 'LIKE')) {
        this.next();
        l = this.bin('LIKE', l, this.addE(d));
        continue;
      }
      if (this.kw(t, 'IN') && this.punct(this.peek(1), '(')) {
        this.next();
        const { args, end } = this.callArgs(d);
        l = { kind: 'in', arg: l, values: args, span: span(l.span.start, end) };
        continue;
      }
      if (this.kw(t, 'NOT') && (this.kw(this.peek(1), 'IN') || this.kw(this.peek(1), 'LIKE'))) {
        // `x NOT IN (…)` / `x NOT LIKE y`
        this.next();
        const op = this.next();
        let inner: EvalExpr;
        if (this.kw(op, 'IN')) {
          if (!this.punct(this.peek(), '(')) throw new EvalSyntaxError(op.start, op.end, 'expected "(" after IN');
          const { args, end } = this.callArgs(d);
          inner = { kind: 'in', arg: l, values: args, span: span(l.span.start, end) };
        } else inner = this.bin('LIKE', l, this.addE(d));
        l = { kind: 'unary', op: 'NOT', arg: inner, span: inner.span };
        continue;
      }
      return l;
    }
  }
  addE(d: number): EvalExpr {
    let l = this.mulE(d);
    for (;;) {
      const t = this.peek();
      if (t.kind === 'op' && (t.value === '+' || t.value === '-' || t.value === '.')) {
        this.next();
        l = this.bin(t.value as EvalBinaryOp, l, this.mulE(d));
        continue;
      }
      return l;
    }
  }
  mulE(d: number): EvalExpr {
    let l = this.unaryE(d);
    for (;;) {
      const t = this.peek();
      if (t.kind === 'op' && (t.value === '*' || t.value === '/' || t.value === '%')) {
        this.next();
        l = this.bin(t.value as EvalBinaryOp, l, this.unaryE(d));
        continue;
      }
      return l;
    }
  }
  unaryE(d: number): EvalExpr {
    const t = this.peek();
    if (t.kind === 'op' && (t.value === '-' || t.value === '+')) {
      this.guard(d, t);
      this.next();
      const arg = this.unaryE(d + 1);
      return { kind: 'unary', op: t.value as '-' | '+', arg, span: span(t.start, arg.span.end) };
    }
    if (t.kind === 'op' && t.value === '!') {
      this.guard(d, t);
      this.next();
      const arg = this.unaryE(d + 1);
      return { kind: 'unary', op: 'NOT', arg, span: span(t.start, arg.span.end) };
    }
    return this.primaryE(d);
  }
  callArgs(d: number): { args: EvalExpr[]; end: number } {
    const lp = this.next(); // (
    this.guard(d + 1, lp);
    const args: EvalExpr[] = [];
    if (this.punct(this.peek(), ')')) return { args, end: this.next().end };
    for (;;) {
      args.push(this.orE(d + 1));
      const t = this.next();
      if (this.punct(t, ')')) return { args, end: t.end };
      if (!this.punct(t, ',')) {
        if (t.kind === 'eof') throw new EvalSyntaxError(lp.start, lp.end, 'unclosed "(": missing ")"');
        throw new EvalSyntaxError(
          t.start,
          Math.max(t.end, t.start + 1),
          `expected "," or ")" in argument list, found "${excerpt(this.p.text.slice(t.start, t.end), 20)}"`,
        );
      }
    }
  }
  primaryE(d: number): EvalExpr {
    const t = this.next();
    switch (t.kind) {
      case 'number':
        return { kind: 'number', value: Number(t.value), raw: t.value, span: span(t.start, t.end) };
      case 'quoted':
        return { kind: 'string', value: t.value, span: span(t.start, t.end) };
      case 'quotedField':
      case 'macro':
        // An unexpanded macro (already reported by the expander) stands for an opaque field.
        return { kind: 'field', name: t.value, quoted: true, span: span(t.start, t.end) };
      case 'subsearch': {
        this.guard(d + 1, t);
        const pipeline = this.p.pipeline(t.start + 1, t.end - 1, this.depth + d + 1);
        return { kind: 'subsearch', pipeline, span: span(t.start, t.end) };
      }
      case 'ident': {
        if (EVAL_KEYWORDS.has(t.value.toUpperCase()) && !this.punct(this.peek(), '(')) {
          throw new EvalSyntaxError(t.start, t.end, `unexpected keyword ${t.value} (missing operand?)`);
        }
        if (this.punct(this.peek(), '(')) {
          const { args, end } = this.callArgs(d);
          return { kind: 'call', fn: t.value.toLowerCase(), args, span: span(t.start, end) };
        }
        return { kind: 'field', name: t.value, quoted: false, span: span(t.start, t.end) };
      }
      case 'lparen': {
        this.guard(d + 1, t);
        const e = this.orE(d + 1);
        const c = this.next();
        if (!this.punct(c, ')')) throw new EvalSyntaxError(t.start, t.end, 'unclosed "(": missing ")"');
        return e;
      }
      case 'op':
      case 'rparen':
      case 'comma':
        throw new EvalSyntaxError(t.start, t.end, `unexpected "${t.value}" in expression`);
      default:
        throw new EvalSyntaxError(
          t.start,
          Math.max(t.end, t.start + 1),
          'expression ends too early (missing operand?)',
        );
    }
  }
}
