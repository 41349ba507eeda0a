/**
 * What the expression parsers (./search-expr.ts, ./eval-expr.ts) need from the pipeline parser
 * (./parser.ts): the text, diagnostics, and nested pipelines for subsearches.
 */
import type { Pipeline, Span } from './ast.js';

/** Deepest nesting of subsearches / parentheses / NOT chains before giving up (bounded recursion). */
export const MAX_NESTING = 100;

export function span(start: number, end: number): Span {
  return { start, end };
}

export interface ParseContext {
  /** The whole text being parsed (AST spans are offsets into it). */
  readonly text: string;
  /** True while parsing the bracket of a `foreach` (its `<<FIELD>>`-style tokens are names). */
  readonly inForeach: boolean;
  error(start: number, end: number, message: string, rule?: 'spl-syntax' | 'spl-unsupported'): void;
  warn(start: number, end: number, message: string): void;
  /** Parses a nested pipeline (a subsearch's text) at the given nesting depth. */
  pipeline(start: number, end: number, depth: number, firstIsCommand?: boolean): Pipeline;
}
