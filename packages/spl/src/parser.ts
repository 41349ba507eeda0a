/**
 * The SPL parser: pipelines, the search language (`search`, the implied base search, tstats
 * WHERE), tstats in full, eval/where expressions, and a generic argument form for every other
 * command. Never throws: every problem is an SplDiagnostic with offsets into the parsed text.
 *
 * Boolean precedence of the search language is Splunk's (splunk-semantics.md §1.5): parentheses,
 * NOT, OR, then AND, with AND implicit between terms; so `a b OR c` is `a AND (b OR c)`.
 */
import type {
  AggregateCall,
  Argument,
  Command,
  CompareOp,
  EvalAssignment,
  EvalBinaryOp,
  EvalExpr,
  GenericCommand,
  Literal,
  Pipeline,
  SearchCommand,
  SearchExpr,
  Span,
  TstatsCommand,
} from './ast.js';
import { type SplDiagnostic, excerpt, splError, splWarning } from './diagnostics.js';
import { type Token, findCloseBracket, lexSearch, skipBacktick, splitPipes } from './lexer.js';
import { Ch, isSpace, skipQuoted, unescapeSpl } from './text.js';

/** Deepest nesting of subsearches / parentheses / NOT chains before giving up (bounded recursion). */
export const MAX_NESTING = 100;

export function parsePipeline(text: string): { pipeline: Pipeline; diagnostics: SplDiagnostic[] } {
  const p = new Parser(String(text ?? ''));
  let pipeline: Pipeline;
  try {
    pipeline = p.pipeline(0, p.text.length, 0);
  } catch (e) {
    // Defensive: the parser is written not to throw; a bug must not crash a validation run.
    p.diags.push(splError('spl-unsupported', 0, p.text.length, `internal parser error: ${(e as Error).message}`));
    pipeline = { commands: [], span: { start: 0, end: p.text.length } };
  }
  return { pipeline, diagnostics: p.diags };
}

/** Generating commands: they must follow a leading `|` (Splunk docs, "Use search macros"). */
const GENERATING_COMMANDS = new Set([
  'tstats',
  'mstats',
  'inputlookup',
  'makeresults',
  'rest',
  'datamodel',
  'metadata',
  'dbinspect',
  'pivot',
  'loadjob',
  'mcatalog',
  'metasearch',
  'inputcsv',
]);

/** Commands whose `[ … ]` holds commands to run rather than a subsearch. */
const TEMPLATE_COMMANDS = new Set(['foreach', 'appendpipe']);

const CMP_OPS = new Set(['=', '!=', '<', '<=', '>', '>=', '==']);

function span(start: number, end: number): Span {
  return { start, end };
}

class Parser {
  readonly diags: SplDiagnostic[] = [];
  /** Generic and dedicated passes over the same text may see the same problem once each. */
  private readonly seen = new Set<string>();
  constructor(readonly text: string) {}

  error(start: number, end: number, message: string, rule: 'spl-syntax' | 'spl-unsupported' = 'spl-syntax'): void {
    const key = `${start}:${end}:${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diags.push(splError(rule, start, end, message));
  }

  warn(start: number, end: number, message: string): void {
    const key = `w${start}:${end}:${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diags.push(splWarning('spl-syntax', start, end, message));
  }

  // ---------------------------------------------------------------- pipelines

  /**
   * `firstIsCommand`: the bracket body of `foreach`/`appendpipe` is a pipeline of commands
   * (`[eval x=…]`, `[stats count]`), not a search.
   */
  pipeline(start: number, end: number, depth: number, firstIsCommand = false): Pipeline {
    if (depth > MAX_NESTING) {
      // Every route into a nested pipeline passes here: bounded recursion whatever the nesting path.
      this.error(Math.max(0, start - 1), end, `subsearches nested deeper than ${MAX_NESTING}`, 'spl-unsupported');
      return { commands: [], span: span(start, end) };
    }
    const parts = splitPipes(this.text, start, end);
    const commands: Command[] = [];
    const first = parts[0];
    const firstBlank = this.isBlank(first.start, first.end);
    if (parts.length === 1 && firstBlank) {
      this.error(start, Math.max(end, start), depth === 0 ? 'empty search' : 'empty subsearch');
      return { commands, span: span(start, end) };
    }
    parts.forEach((part, index) => {
      if (index === 0) {
        if (firstBlank) return; // a leading `|`: the first command is named
        commands.push(
          firstIsCommand ? this.command(part.start, part.end, depth) : this.implicitSearch(part.start, part.end, depth),
        );
        return;
      }
      if (this.isBlank(part.start, part.end)) {
        this.error(part.start - 1, Math.min(part.end + 1, end), 'empty command between pipes');
        return;
      }
      commands.push(this.command(part.start, part.end, depth));
    });
    return { commands, span: span(start, end) };
  }

  isBlank(start: number, end: number): boolean {
    for (let i = start; i < end; i++) {
      const c = this.text.charCodeAt(i);
      if (isSpace(c)) continue;
      if (c === Ch.Backtick && this.text.startsWith('```', i)) {
        const next = skipBacktick(this.text, i, end);
        if (next > i + 3 || this.text.indexOf('```', i + 3) < 0) {
          i = next - 1;
          continue;
        }
      }
      return false;
    }
    return true;
  }

  trim(start: number, end: number): Span {
    let s = start;
    let e = end;
    while (s < e && isSpace(this.text.charCodeAt(s))) s++;
    while (e > s && isSpace(this.text.charCodeAt(e - 1))) e--;
    return span(s, e);
  }

  /** The first segment when the pipeline does not start with `|`: a search (`search` keyword optional). */
  implicitSearch(start: number, end: number, depth: number): SearchCommand {
    const t = this.trim(start, end);
    const first = /^[A-Za-z]+(?=\s|$)/.exec(this.text.slice(t.start, Math.min(t.end, t.start + 20)));
    if (first && GENERATING_COMMANDS.has(first[0].toLowerCase())) {
      this.warn(
        t.start,
        t.start + first[0].length,
        `"${first[0]}" at the start of a search without a leading "|" is read as a search term, not a command; write "| ${first[0]}"`,
      );
    }
    const m = /^search(?=\s|$)/i.exec(this.text.slice(t.start, Math.min(t.end, t.start + 7)));
    const exprStart = m ? t.start + 6 : t.start;
    return { kind: 'search', expr: this.searchExprRange(exprStart, t.end, depth), spanOfCommand: t };
  }

  command(start: number, end: number, depth: number): Command {
    let t = this.trim(start, end);
    // ``` comments before the command name (unexpanded text only; expansion removes them).
    while (this.text.startsWith('```', t.start)) {
      const next = skipBacktick(this.text, t.start, t.end);
      if (next <= t.start + 3) break;
      t = this.trim(next, t.end);
    }
    const text = this.text;
    let i = t.start;
    if (text.charCodeAt(i) === Ch.Backtick) {
      // An unexpanded macro in command position (its diagnostic comes from the expander).
      const e = Math.min(skipBacktick(text, i, t.end), t.end);
      return this.generic(text.slice(i, e), e, t, depth);
    }
    while (i < t.end && /[A-Za-z0-9_-]/.test(text[i])) i++;
    const name = text.slice(t.start, i).toLowerCase();
    if (name === '') {
      this.error(
        t.start,
        Math.min(t.start + 1, t.end),
        `expected a command name, found "${excerpt(text.slice(t.start, t.end), 20)}"`,
      );
      return this.generic('', t.start, t, depth);
    }
    switch (name) {
      case 'search':
        return { kind: 'search', expr: this.searchExprRange(i, t.end, depth), spanOfCommand: t };
      case 'tstats':
        return this.tstats(i, t, depth);
      case 'where': {
        // Subsearches are parsed once, by the expression parser (not again as generic arguments).
        const cmd = this.generic(name, i, t, depth, false);
        const r = this.trim(i, t.end);
        if (r.start === r.end) this.error(t.start, t.end, '`where` needs an expression');
        else cmd.expr = new EvalParser(this, r.start, r.end, depth).whereExpr();
        return cmd;
      }
      case 'eval': {
        const cmd = this.generic(name, i, t, depth, false);
        const r = this.trim(i, t.end);
        if (r.start === r.end) this.error(t.start, t.end, '`eval` needs an assignment');
        else cmd.assignments = new EvalParser(this, r.start, r.end, depth).assignments();
        return cmd;
      }
      default:
        return this.generic(name, i, t, depth);
    }
  }

  generic(name: string, argsStart: number, t: Span, depth: number, subsearches = true): GenericCommand {
    const r = this.trim(argsStart, t.end);
    return {
      kind: 'command',
      name,
      args: this.genericArgs(r.start, r.end, depth, TEMPLATE_COMMANDS.has(name), subsearches),
      text: this.text.slice(r.start, r.end),
      textSpan: r,
      spanOfCommand: t,
    };
  }

  subsearch(open: number, end: number, depth: number, firstIsCommand = false): { pipeline: Pipeline; close: number } {
    const close = findCloseBracket(this.text, open, end);
    if (close < 0) {
      this.error(open, open + 1, 'unclosed "[": subsearch has no closing "]"');
      return { pipeline: { commands: [], span: span(open + 1, end) }, close: end };
    }
    if (depth + 1 > MAX_NESTING) {
      this.error(open, close + 1, `subsearches nested deeper than ${MAX_NESTING}`, 'spl-unsupported');
      return { pipeline: { commands: [], span: span(open + 1, close) }, close: close + 1 };
    }
    return { pipeline: this.pipeline(open + 1, close, depth + 1, firstIsCommand), close: close + 1 };
  }

  /** Generic arguments: `key=value` options, words (balanced parentheses kept together), subsearches. */
  genericArgs(start: number, end: number, depth: number, bracketIsCommands = false, subsearches = true): Argument[] {
    const text = this.text;
    const args: Argument[] = [];
    let i = start;
    const readChunk = (from: number): number => {
      let j = from;
      let paren = 0;
      while (j < end) {
        const c = text.charCodeAt(j);
        if (c === Ch.Quote) {
          const e = skipQuoted(text, j, end);
          if (e < 0) {
            this.error(j, end, 'unterminated quoted string');
            return end;
          }
          j = e;
          continue;
        }
        if (c === Ch.Backtick) {
          j = skipBacktick(text, j, end);
          continue;
        }
        if (paren === 0 && (isSpace(c) || c === Ch.Comma || (c === Ch.LBracket && j > from))) break;
        if (c === Ch.LBracket) {
          const close = findCloseBracket(text, j, end);
          j = close < 0 ? end : close + 1;
          continue;
        }
        if (c === Ch.LParen) paren++;
        else if (c === Ch.RParen && paren > 0) paren--;
        j++;
      }
      return j;
    };
    while (i < end) {
      const c = text.charCodeAt(i);
      if (isSpace(c) || c === Ch.Comma) {
        i++;
        continue;
      }
      if (c === Ch.Backtick && text.startsWith('```', i)) {
        i = skipBacktick(text, i, end);
        continue;
      }
      if (c === Ch.LBracket && subsearches) {
        const { pipeline, close } = this.subsearch(i, end, depth, bracketIsCommands);
        args.push({ kind: 'subsearch', pipeline, span: span(i, close) });
        i = close;
        continue;
      }
      const j = readChunk(i);
      const chunk = text.slice(i, j);
      const eq = /^([A-Za-z_][A-Za-z0-9_.:-]*)\s*=(?!=)/.exec(chunk);
      if (eq) {
        let vs = i + eq[0].length;
        let ve = j;
        if (vs === j) {
          // `key= value`: the value is the next chunk.
          let k = j;
          while (k < end && isSpace(text.charCodeAt(k))) k++;
          if (k < end && text.charCodeAt(k) !== Ch.Comma) {
            vs = k;
            ve = readChunk(k);
          }
        }
        args.push({ kind: 'option', key: eq[1], value: this.chunkLiteral(vs, ve), span: span(i, ve) });
        i = Math.max(ve, j);
        continue;
      }
      // `key = value` with spaces around `=`.
      if (/^[A-Za-z_][A-Za-z0-9_.:-]*$/.test(chunk)) {
        let k = j;
        while (k < end && isSpace(text.charCodeAt(k))) k++;
        if (text.charCodeAt(k) === Ch.Equals && text.charCodeAt(k + 1) !== Ch.Equals) {
          k++;
          while (k < end && isSpace(text.charCodeAt(k))) k++;
          const ve = k < end ? readChunk(k) : k;
          args.push({ kind: 'option', key: chunk, value: this.chunkLiteral(k, ve), span: span(i, ve) });
          i = ve;
          continue;
        }
      }
      args.push({ kind: 'word', value: this.chunkLiteral(i, j), span: span(i, j) });
      i = j;
    }
    return args;
  }

  /** A generic word: one whole quoted string is unquoted and unescaped, anything else kept raw. */
  chunkLiteral(start: number, end: number): Literal {
    const raw = this.text.slice(start, end);
    if (raw.length >= 2 && raw.charCodeAt(0) === Ch.Quote && skipQuoted(raw, 0) === raw.length) {
      return { value: unescapeSpl(raw.slice(1, -1)), quoted: true, span: span(start, end) };
    }
    return { value: raw, quoted: false, span: span(start, end) };
  }

  // ---------------------------------------------------------------- search language

  searchExprRange(start: number, end: number, depth: number): SearchExpr | undefined {
    const ts = new TokenStream(lexSearch(this.text, start, end));
    this.reportTokenProblems(ts);
    const sp = new SearchParser(this, ts, depth);
    const expr = sp.top();
    return expr;
  }

  reportTokenProblems(ts: TokenStream): void {
    for (const t of ts.tokens) {
      if (t.kind === 'quoted' && t.closed === false) this.error(t.start, t.end, 'unterminated quoted string');
      if (t.kind === 'op' && t.value === ']') this.error(t.start, t.end, 'unmatched "]"');
    }
  }

  // ---------------------------------------------------------------- tstats

  tstats(argsStart: number, t: Span, depth: number): TstatsCommand {
    const ts = new TokenStream(lexSearch(this.text, argsStart, t.end));
    this.reportTokenProblems(ts);
    const cmd: TstatsCommand = { kind: 'tstats', options: {}, aggregates: [], by: [], spanOfCommand: t };
    const isKw = (tok: Token, ...kws: string[]) => tok.kind === 'word' && kws.includes(tok.value.toLowerCase());
    const sp = new SearchParser(this, ts, depth);
    // Options before the aggregates: `summariesonly=… allow_old_summaries=… fillnull_value=… prestats=t …`.
    for (;;) {
      const tok = ts.peek();
      if (tok.kind === 'macro') {
        ts.next();
        continue;
      }
      if (
        tok.kind === 'word' &&
        ts.peek(1).kind === 'op' &&
        ts.peek(1).value === '=' &&
        !isKw(tok, 'from', 'where', 'by', 'groupby')
      ) {
        ts.next();
        const opTok = ts.next();
        cmd.options[tok.value] = sp.value(opTok);
        continue;
      }
      break;
    }
    // Aggregates: `count`, `min(_time) as firstTime`, `values(Processes.process) AS "x"`, …
    for (;;) {
      const tok = ts.peek();
      if (tok.kind === 'comma' || tok.kind === 'macro') {
        ts.next();
        continue;
      }
      if (tok.kind !== 'word' || isKw(tok, 'from', 'where', 'by', 'groupby')) break;
      if (ts.peek(1).kind === 'op' && ts.peek(1).value === '=') break; // an option after the aggregates
      ts.next();
      const agg: AggregateCall = { fn: tok.value.toLowerCase(), span: span(tok.start, tok.end) };
      const lp = ts.peek();
      if (lp.kind === 'lparen' && lp.start === tok.end) {
        ts.next();
        const innerStart = lp.end;
        let d = 1;
        let close: Token | undefined;
        while (ts.peek().kind !== 'eof') {
          const x = ts.next();
          if (x.kind === 'lparen') d++;
          else if (x.kind === 'rparen' && --d === 0) {
            close = x;
            break;
          }
        }
        if (!close) {
          this.error(lp.start, t.end, `unclosed "(" in aggregate ${tok.value}(`);
          agg.span = span(tok.start, t.end);
        } else {
          const inner = this.text.slice(innerStart, close.start).trim();
          if (inner !== '')
            agg.field =
              inner.startsWith('"') && inner.endsWith('"') && inner.length >= 2
                ? unescapeSpl(inner.slice(1, -1))
                : inner;
          agg.span = span(tok.start, close.end);
        }
      }
      if (isKw(ts.peek(), 'as')) {
        ts.next();
        const alias = ts.peek();
        if (alias.kind === 'word' || alias.kind === 'quoted') {
          ts.next();
          agg.as = alias.value;
          agg.span = span(agg.span.start, alias.end);
        } else this.error(alias.start, alias.end, `expected a name after "as" in tstats aggregate ${tok.value}`);
      }
      cmd.aggregates.push(agg);
    }
    if (cmd.aggregates.length === 0 && cmd.options.prestats === undefined) {
      const tok = ts.peek();
      this.error(
        tok.start,
        Math.max(tok.end, tok.start + 1),
        'tstats needs at least one aggregate function (e.g. count)',
      );
    }
    // Clauses: FROM, WHERE, BY (in any order), and late options (`span=`, `prestats=t`).
    const seen = new Set<string>();
    for (;;) {
      const tok = ts.peek();
      if (tok.kind === 'eof') break;
      if (tok.kind === 'comma' || tok.kind === 'macro') {
        ts.next();
        continue;
      }
      const lw = tok.kind === 'word' ? tok.value.toLowerCase() : '';
      // `GROUPBY` is tstats' synonym of `BY` (Splunk tstats reference).
      const kw = lw === 'groupby' ? 'by' : lw;
      if ((kw === 'from' || kw === 'where' || kw === 'by') && seen.has(kw)) {
        this.error(tok.start, tok.end, `duplicate ${kw.toUpperCase()} clause in tstats`);
      }
      if (kw === 'from') {
        seen.add(kw);
        ts.next();
        this.tstatsFrom(cmd, ts, sp, tok);
        continue;
      }
      if (kw === 'where') {
        seen.add(kw);
        ts.next();
        const isBy = (x: Token) =>
          x.kind === 'word' &&
          (x.value.toLowerCase() === 'by' || x.value.toLowerCase() === 'groupby') &&
          ts.peek(1).kind !== 'op';
        const expr = sp.andSeq(0, isBy);
        while (ts.peek().kind === 'rparen') {
          const r = ts.next();
          this.error(r.start, r.end, 'unmatched ")"');
          sp.andSeq(0, isBy);
        }
        if (!expr) this.error(tok.start, tok.end, 'tstats WHERE clause is empty');
        else
          cmd.where = cmd.where
            ? { kind: 'and', args: [cmd.where, expr], span: span(cmd.where.span.start, expr.span.end) }
            : expr;
        continue;
      }
      if (kw === 'by') {
        seen.add(kw);
        ts.next();
        this.tstatsBy(cmd, ts, sp);
        continue;
      }
      if (tok.kind === 'word' && ts.peek(1).kind === 'op' && ts.peek(1).value === '=') {
        ts.next();
        const v = sp.value(ts.next());
        if (kw === 'span') cmd.span = v;
        else cmd.options[tok.value] = v;
        continue;
      }
      ts.next();
      this.error(
        tok.start,
        Math.max(tok.end, tok.start + 1),
        `unexpected "${excerpt(tok.raw, 30)}" in tstats (expected FROM, WHERE or BY)`,
      );
    }
    return cmd;
  }

  tstatsFrom(cmd: TstatsCommand, ts: TokenStream, sp: SearchParser, fromTok: Token): void {
    const tok = ts.peek();
    if (
      tok.kind === 'word' &&
      tok.value.toLowerCase() === 'datamodel' &&
      ts.peek(1).kind === 'op' &&
      ts.peek(1).value === '='
    ) {
      ts.next();
      const v = sp.value(ts.next());
      this.setDatamodel(cmd, v.value, v.span);
      return;
    }
    if (tok.kind === 'word' && /^datamodel:/i.test(tok.value)) {
      ts.next();
      this.setDatamodel(cmd, tok.value.slice('datamodel:'.length), span(tok.start, tok.end));
      return;
    }
    if (tok.kind === 'word' || tok.kind === 'quoted' || tok.kind === 'macro') {
      // Another namespace, or an unexpanded macro (already reported by the expander).
      ts.next();
      cmd.from = { value: tok.value, quoted: tok.kind === 'quoted', span: span(tok.start, tok.end) };
      return;
    }
    this.error(fromTok.start, fromTok.end, 'FROM needs a namespace, e.g. datamodel=Endpoint.Processes');
  }

  setDatamodel(cmd: TstatsCommand, value: string, sp: Span): void {
    const parts = value.split('.');
    if (parts.some((p) => p.trim() === '') || /\s/.test(value)) {
      this.error(sp.start, sp.end, `invalid data model "${excerpt(value, 40)}" (expected Model or Model.Dataset)`);
    }
    cmd.datamodel = { model: parts[0], dataset: parts.slice(1), span: sp };
  }

  tstatsBy(cmd: TstatsCommand, ts: TokenStream, sp: SearchParser): void {
    const start = ts.peek();
    for (;;) {
      const tok = ts.peek();
      if (tok.kind === 'eof') break;
      if (tok.kind === 'comma' || tok.kind === 'macro') {
        ts.next();
        continue;
      }
      if (
        tok.kind === 'word' &&
        ['from', 'where', 'by', 'groupby'].includes(tok.value.toLowerCase()) &&
        !(ts.peek(1).kind === 'op')
      )
        break;
      if (tok.kind === 'word' && ts.peek(1).kind === 'op' && ts.peek(1).value === '=') {
        ts.next();
        const v = sp.value(ts.next());
        if (tok.value.toLowerCase() === 'span') cmd.span = v;
        else cmd.options[tok.value] = v;
        continue;
      }
      if (tok.kind === 'word' || tok.kind === 'quoted') {
        ts.next();
        cmd.by.push({ field: tok.value, span: span(tok.start, tok.end) });
        continue;
      }
      break;
    }
    if (cmd.by.length === 0)
      this.error(start.start, Math.max(start.end, start.start + 1), 'BY needs at least one field');
  }
}

/** Token cursor. */
class TokenStream {
  i = 0;
  constructor(readonly tokens: Token[]) {}
  peek(k = 0): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)];
  }
  next(): Token {
    const t = this.tokens[this.i];
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }
}

function isKeyword(t: Token, kw: 'AND' | 'OR' | 'NOT' | 'IN'): boolean {
  // Boolean operators must be uppercase (splunk-semantics.md §1.5); a lowercase `or` is a term.
  return t.kind === 'word' && t.raw === kw;
}

/** The search language over a token stream. */
class SearchParser {
  constructor(
    readonly p: Parser,
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

// -------------------------------------------------------------------- eval / where expressions

type EvalTokKind = 'num' | 'str' | 'qfield' | 'ident' | 'punct' | 'sub' | 'eof';
interface EvalTok {
  kind: EvalTokKind;
  start: number;
  end: number;
  value: string;
}

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
class EvalParser {
  toks: EvalTok[] = [];
  i = 0;
  constructor(
    readonly p: Parser,
    readonly start: number,
    readonly end: number,
    readonly depth: number,
  ) {}

  lex(): void {
    const text = this.p.text;
    const end = this.end;
    let i = this.start;
    const toks = this.toks;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (isSpace(c)) {
        i++;
        continue;
      }
      if (c === Ch.Backtick) {
        if (text.startsWith('```', i)) {
          i = skipBacktick(text, i, end);
          continue;
        }
        // An unexpanded macro (already reported by the expander) stands for an opaque field.
        const e = Math.min(skipBacktick(text, i, end), end);
        toks.push({ kind: 'qfield', start: i, end: e, value: text.slice(i, e) });
        i = e;
        continue;
      }
      if (c === Ch.Quote) {
        const e = skipQuoted(text, i, end);
        if (e < 0) throw new EvalSyntaxError(i, end, 'unterminated quoted string');
        toks.push({ kind: 'str', start: i, end: e, value: unescapeSpl(text.slice(i + 1, e - 1)) });
        i = e;
        continue;
      }
      if (c === 39 /* ' */) {
        let j = i + 1;
        while (j < end && text.charCodeAt(j) !== 39) j += text.charCodeAt(j) === Ch.Backslash ? 2 : 1;
        if (j >= end) throw new EvalSyntaxError(i, end, 'unterminated single-quoted field name');
        toks.push({ kind: 'qfield', start: i, end: j + 1, value: text.slice(i + 1, j).replace(/\\(['\\])/g, '$1') });
        i = j + 1;
        continue;
      }
      if (c === Ch.LBracket) {
        const close = findCloseBracket(text, i, end);
        if (close < 0) throw new EvalSyntaxError(i, i + 1, 'unclosed "[": subsearch has no closing "]"');
        toks.push({ kind: 'sub', start: i, end: close + 1, value: '' });
        i = close + 1;
        continue;
      }
      const num = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i, Math.min(end, i + 64)));
      if (num && !/[A-Za-z_]/.test(text[i + num[0].length] ?? '')) {
        toks.push({ kind: 'num', start: i, end: i + num[0].length, value: num[0] });
        i += num[0].length;
        continue;
      }
      if (/[A-Za-z_@$0-9{]/.test(text[i])) {
        // Identifier; a `.` joins only when followed by an identifier character (`a.b` is a field,
        // `a." "` and `a . b` concatenate). `{}` belongs to names (spath's `a{}.b`).
        let j = i;
        while (j < end) {
          const ch = text[j];
          if (/[A-Za-z0-9_@$:{}]/.test(ch)) j++;
          else if (ch === '.' && j + 1 < end && /[A-Za-z0-9_@${]/.test(text[j + 1]) && j > i) j++;
          else break;
        }
        toks.push({ kind: 'ident', start: i, end: j, value: text.slice(i, j) });
        i = j;
        continue;
      }
      const two = text.slice(i, i + 2);
      if (two === '==' || two === '!=' || two === '<=' || two === '>=') {
        toks.push({ kind: 'punct', start: i, end: i + 2, value: two });
        i += 2;
        continue;
      }
      if ('=<>+-*/%.(),!'.includes(text[i])) {
        toks.push({ kind: 'punct', start: i, end: i + 1, value: text[i] });
        i++;
        continue;
      }
      throw new EvalSyntaxError(i, i + 1, `unexpected character "${text[i]}" in expression`);
    }
    toks.push({ kind: 'eof', start: end, end, value: '' });
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
        if (!(t.kind === 'ident' || t.kind === 'str' || t.kind === 'qfield'))
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
        if (!(eq.kind === 'punct' && eq.value === '='))
          throw new EvalSyntaxError(
            eq.start,
            Math.max(eq.end, eq.start + 1),
            `expected "=" after eval target ${field}`,
          );
        const expr = this.orE(0);
        out.push({ field, fieldSpan: span(t.start, fieldEnd), expr, span: span(t.start, expr.span.end) });
        const sep = this.peek();
        if (sep.kind === 'eof') break;
        if (sep.kind === 'punct' && sep.value === ',') {
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

  peek(k = 0): EvalTok {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)];
  }
  next(): EvalTok {
    const t = this.toks[this.i];
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }
  kw(t: EvalTok, k: string): boolean {
    return t.kind === 'ident' && t.value.toUpperCase() === k;
  }
  punct(t: EvalTok, v: string): boolean {
    return t.kind === 'punct' && t.value === v;
  }
  guard(d: number, t: EvalTok): void {
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
      if (t.kind === 'punct' && ['=', '==', '!=', '<', '<=', '>', '>='].includes(t.value)) {
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
      if (t.kind === 'punct' && (t.value === '+' || t.value === '-' || t.value === '.')) {
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
      if (t.kind === 'punct' && (t.value === '*' || t.value === '/' || t.value === '%')) {
        this.next();
        l = this.bin(t.value as EvalBinaryOp, l, this.unaryE(d));
        continue;
      }
      return l;
    }
  }
  unaryE(d: number): EvalExpr {
    const t = this.peek();
    if (t.kind === 'punct' && (t.value === '-' || t.value === '+')) {
      this.guard(d, t);
      this.next();
      const arg = this.unaryE(d + 1);
      return { kind: 'unary', op: t.value as '-' | '+', arg, span: span(t.start, arg.span.end) };
    }
    if (t.kind === 'punct' && t.value === '!') {
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
      case 'num':
        return { kind: 'number', value: Number(t.value), raw: t.value, span: span(t.start, t.end) };
      case 'str':
        return { kind: 'string', value: t.value, span: span(t.start, t.end) };
      case 'qfield':
        return { kind: 'field', name: t.value, quoted: true, span: span(t.start, t.end) };
      case 'sub': {
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
      case 'punct':
        if (t.value === '(') {
          this.guard(d + 1, t);
          const e = this.orE(d + 1);
          const c = this.next();
          if (!this.punct(c, ')')) throw new EvalSyntaxError(t.start, t.end, 'unclosed "(": missing ")"');
          return e;
        }
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
