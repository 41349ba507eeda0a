/**
 * The SPL parser: pipelines and commands — the implied base search, `search`, tstats in full,
 * `where`/`eval` (their expressions are ./eval-expr.ts's), and a generic argument form for every
 * other command. Search expressions are ./search-expr.ts's; all tokens come from ./lexer.ts.
 * Never throws: every problem is an SplDiagnostic with offsets into the parsed text.
 */
import type {
  AggregateCall,
  Argument,
  Command,
  GenericCommand,
  Literal,
  Pipeline,
  SearchCommand,
  SearchExpr,
  Span,
  TstatsCommand,
} from './ast.js';
import { type SplDiagnostic, excerpt, splError, splWarning } from './diagnostics.js';
import { EvalParser } from './eval-expr.js';
import { type Token, type TokenStream, findCloseBracket, skipBacktick, splitPipes } from './lexer.js';
import { MAX_NESTING, type ParseContext, span } from './parse-context.js';
import { SearchParser, searchTokens } from './search-expr.js';
import { Ch, isSpace, skipQuoted, unescapeSpl } from './text.js';

export { MAX_NESTING };

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

/**
 * Generating commands: at the start of a search they must follow a leading `|` (Splunk docs,
 * "Use search macros"); at the start of a subsearch they are written without one (Search Manual,
 * "About subsearches": the first command of a subsearch is a generating command such as search,
 * eventcount, inputlookup or tstats — `[ inputlookup legit_domains.csv | fields domain ]`).
 */
const GENERATING_COMMANDS = new Set([
  'tstats',
  'eventcount',
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

class Parser implements ParseContext {
  readonly diags: SplDiagnostic[] = [];
  /** Generic and dedicated passes over the same text may see the same problem once each. */
  private readonly seen = new Set<string>();
  /** Nesting of `foreach` brackets being parsed (see ParseContext.inForeach). */
  private foreachDepth = 0;
  constructor(readonly text: string) {}

  get inForeach(): boolean {
    return this.foreachDepth > 0;
  }

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
          firstIsCommand || (depth > 0 && this.startsWithGeneratingCommand(part.start, part.end))
            ? this.command(part.start, part.end, depth)
            : this.implicitSearch(part.start, part.end, depth),
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

  /** The segment starts with the name of a generating command (`inputlookup x`, `mstats avg(…)`). */
  startsWithGeneratingCommand(start: number, end: number): boolean {
    const t = this.trim(start, end);
    const first = /^[A-Za-z]+(?=\s|$)/.exec(this.text.slice(t.start, Math.min(t.end, t.start + 20)));
    return first !== null && GENERATING_COMMANDS.has(first[0].toLowerCase());
  }

  /** The first segment when the pipeline does not start with `|`: a search (`search` keyword optional). */
  implicitSearch(start: number, end: number, depth: number): SearchCommand {
    const t = this.trim(start, end);
    const first = /^[A-Za-z]+(?=\s|$)/.exec(this.text.slice(t.start, Math.min(t.end, t.start + 20)));
    if (first && depth === 0 && GENERATING_COMMANDS.has(first[0].toLowerCase())) {
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
    const foreach = name === 'foreach';
    if (foreach) this.foreachDepth++;
    let args: Argument[];
    try {
      args = this.genericArgs(r.start, r.end, depth, TEMPLATE_COMMANDS.has(name), subsearches);
    } finally {
      if (foreach) this.foreachDepth--;
    }
    return {
      kind: 'command',
      name,
      args,
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
    return new SearchParser(this, searchTokens(this, start, end), depth).top();
  }

  // ---------------------------------------------------------------- tstats

  tstats(argsStart: number, t: Span, depth: number): TstatsCommand {
    const ts = searchTokens(this, argsStart, t.end);
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
      if (ts.peek(1).kind === 'op' && ts.peek(1).value === '=') {
        // An option between the aggregates: ESCU writes `count `security_content_summariesonly`
        // values(…)`, whose macro expands to `summariesonly=… allow_old_summaries=…` there. Splunk
        // takes tstats' key=value options wherever they stand before FROM (choice: a deprecated
        // ESCU detection relies on it; the options table below stays the one place they land).
        if (cmd.aggregates.length === 0) break;
        ts.next();
        const opTok = ts.next();
        cmd.options[tok.value] = sp.value(opTok);
        continue;
      }
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
