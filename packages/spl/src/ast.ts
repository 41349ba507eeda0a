/**
 * The SPL abstract syntax tree. Every node carries a span: offsets into the text that was
 * parsed (the macro-expanded search); `expandMacros` gives the way back to the original string,
 * and @dac/content's `positionInScalar` the way from the string to the YAML file.
 *
 * This file is the contract between the parser (@dac/spl), the matcher generator (@dac/matchers),
 * the replay engine and the validator: change it with care.
 */

/** Half-open range [start, end) of UTF-16 offsets in the parsed text. */
export interface Span {
  start: number;
  end: number;
}

/** A literal value as written: `quoted` says whether it came in double quotes. */
export interface Literal {
  /** The value after removing quotes and Splunk's escapes (`\"` → `"`, `\\` → `\`). */
  value: string;
  quoted: boolean;
  span: Span;
  /**
   * `CASE(value)`: the value matches case-sensitively (splunk-semantics.md §1.1). Absent = the
   * default case-insensitive match.
   */
  caseSensitive?: boolean;
  /** `TERM(value)`: written as a TERM directive (matched as one indexed term). */
  term?: boolean;
}

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/**
 * Boolean expression of the `search` command and of `tstats … where …`
 * (search-language semantics: implicit AND, NOT > OR > AND precedence, wildcards in values,
 * case-insensitive value matching, case-sensitive field names).
 */
export type SearchExpr =
  | { kind: 'and'; args: SearchExpr[]; span: Span }
  | { kind: 'or'; args: SearchExpr[]; span: Span }
  | { kind: 'not'; arg: SearchExpr; span: Span }
  /** `field op value`; `field` exactly as written (e.g. `Processes.process_name`). */
  | { kind: 'compare'; field: string; fieldSpan: Span; op: CompareOp; value: Literal; span: Span }
  /** `field IN (v1, v2, …)`: an OR of `field=v` with wildcards. */
  | { kind: 'in'; field: string; fieldSpan: Span; values: Literal[]; span: Span }
  /** A bare term (keyword search against _raw), e.g. `ngrok` or `"*foo*"`. */
  | { kind: 'term'; value: Literal; span: Span }
  /**
   * `[ … ]` inside a search expression: the subsearch's results become a search expression at
   * run time (unknowable locally; the interpreter treats it as true).
   */
  | { kind: 'subsearch'; pipeline: Pipeline; span: Span };

/**
 * Expression of `eval` and `where` (eval-language semantics: conventional precedence
 * NOT > AND > XOR > OR, no wildcards, `.` concatenates). Keywords AND/OR/XOR/NOT/LIKE/IN are
 * accepted in any case.
 */
export type EvalExpr =
  | { kind: 'string'; value: string; span: Span }
  | { kind: 'number'; value: number; raw: string; span: Span }
  /** A field reference: bare (`process_name`, `Processes.process`) or single-quoted (`'a b'`). */
  | { kind: 'field'; name: string; quoted: boolean; span: Span }
  /** Function call; `fn` lower-cased (`if`, `match`, `like`, `coalesce`, …). */
  | { kind: 'call'; fn: string; args: EvalExpr[]; span: Span }
  | { kind: 'unary'; op: 'NOT' | '-' | '+'; arg: EvalExpr; span: Span }
  | { kind: 'binary'; op: EvalBinaryOp; left: EvalExpr; right: EvalExpr; span: Span }
  /** `x IN (a, b)` (no wildcards in eval/where, splunk-semantics.md §1.3). */
  | { kind: 'in'; arg: EvalExpr; values: EvalExpr[]; span: Span }
  | { kind: 'subsearch'; pipeline: Pipeline; span: Span };

export type EvalBinaryOp =
  | 'OR'
  | 'XOR'
  | 'AND'
  | '='
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'LIKE'
  | '+'
  | '-'
  | '.'
  | '*'
  | '/'
  | '%';

/** One `target=expression` of an `eval` command. */
export interface EvalAssignment {
  field: string;
  fieldSpan: Span;
  expr: EvalExpr;
  span: Span;
}

/** A command argument: `key=value`, a bare word, or a parenthesised/bracketed group kept as text. */
export type Argument =
  | { kind: 'option'; key: string; value: Literal; span: Span }
  | { kind: 'word'; value: Literal; span: Span }
  | { kind: 'subsearch'; pipeline: Pipeline; span: Span };

export interface AggregateCall {
  /** Function name as written, lower-cased (`count`, `min`, `max`, `values`, `dc`, `latest`, …). */
  fn: string;
  /** Field argument (`_time`, `Processes.process`); absent for bare `count`. */
  field?: string;
  /** `as` alias; the output column name is `as ?? (field ? fn(field) : fn)`. */
  as?: string;
  span: Span;
}

export interface TstatsCommand {
  kind: 'tstats';
  /** `summariesonly`, `allow_old_summaries`, `fillnull_value`, `prestats`, `local`, `chunk_size`, … */
  options: Record<string, Literal>;
  aggregates: AggregateCall[];
  /** `from datamodel=Endpoint.Processes` → model `Endpoint`, dataset path `['Processes']`. */
  datamodel?: { model: string; dataset: string[]; span: Span };
  /** `from <namespace>` other than a datamodel (rare), kept as text. */
  from?: Literal;
  where?: SearchExpr;
  by: { field: string; span: Span }[];
  /** `span=1h` given with the by-clause. */
  span?: Literal;
  spanOfCommand: Span;
}

/** `search …` (also the implicit first command of a pipeline that does not start with `|`). */
export interface SearchCommand {
  kind: 'search';
  expr?: SearchExpr;
  spanOfCommand: Span;
}

/** Any other command: kept generically so every ESCU search parses. */
export interface GenericCommand {
  kind: 'command';
  name: string;
  args: Argument[];
  /** Raw text of the arguments, for commands whose grammar is not modelled (eval, stats, …). */
  text: string;
  spanOfCommand: Span;
  /** `where`: the parsed expression (absent when it did not parse; a diagnostic says why). */
  expr?: EvalExpr;
  /** `eval`: the parsed assignments (absent when they did not parse). */
  assignments?: EvalAssignment[];
  /** Span of `text` within the parsed string. */
  textSpan?: Span;
}

export type Command = TstatsCommand | SearchCommand | GenericCommand;

export interface Pipeline {
  commands: Command[];
  span: Span;
}
