/** The contract between the preparer and the command modules (one module per SPL command). */
import type { Command, GenericCommand, Pipeline, SearchExpr, Span } from '@dac/spl';
import type { CommandPlan, PipelinePlan, PipelineSource, SubPlan } from './engine.js';
import type { DataModelProvider, LookupProvider, SearchDiagnosticCode } from './types.js';

export interface PrepareOptions {
  /** Lookup tables for `lookup` / `inputlookup` (the content tree's `lookups/`). */
  lookups?: LookupProvider;
  /** Data sets for `tstats` (normalised events). */
  dataModels?: DataModelProvider;
  /** Epoch seconds of the search: `now()`, `relative_time(now(), …)`, `makeresults`, `addinfo`. */
  now?: number;
  /** The search's time range (`addinfo`): epoch seconds. */
  timeRange?: { earliest?: number; latest?: number };
  /**
   * A compiled predicate for the leading search command (over events) or a tstats WHERE (no
   * nodename, no subsearch): e.g. the typed matcher @dac/matchers generated for it. Return
   * undefined to use the engine's interpreter. Both must give the same result (a property
   * test holds them equal).
   */
  compiledPredicate?: CompiledPredicateHook;
}

/** What the engine asks a compiled-predicate hook for. */
export interface CompiledPredicateRequest {
  command: 'search' | 'tstats';
  /** The expression as parsed (tstats: the full WHERE). */
  expr: SearchExpr | undefined;
  /** The command's span (offsets in the expanded search). */
  span: Span;
  /** tstats: the data set's row key of a written field. */
  fieldKey?: (written: string) => string;
}

/** A plain function: the compiled predicate over rows, or undefined for the interpreter. */
export type CompiledPredicateHook = (
  request: CompiledPredicateRequest,
) => ((row: Readonly<Record<string, unknown>>) => boolean) | undefined;

export interface PrepareContext {
  readonly options: PrepareOptions;
  /** Position of the command in its pipeline (0 = first). */
  readonly index: number;
  /** Where the pipeline's rows come from: events (a search), a generating command, or a parent's rows. */
  readonly source: PipelineSource | 'unknown';
  /** Nesting: 0 for the main search. */
  readonly depth: number;
  /** Reports a positioned problem; returns undefined so modules can `return ctx.error(…)`. */
  error(span: Span, message: string, code?: SearchDiagnosticCode): undefined;
  /** A non-fatal note (kept in the plan's warnings). */
  warning(span: Span, message: string): void;
  /** Prepares a subsearch (run before the main search; at most `maxout` rows). */
  subsearch(pipeline: Pipeline, span: Span, maxout: number): SubPlan | undefined;
  /** Prepares a pipeline of commands over rows (appendpipe, foreach bodies). */
  rowsPipeline(pipeline: Pipeline): PipelinePlan | undefined;
  /**
   * Prepares a pipeline over rows later (at run time: foreach templates), with the same options;
   * never reports into this preparation.
   */
  rowsPipelineLater(pipeline: Pipeline): PipelinePlan | { error: string };
}

/** One SPL command: parses its arguments into a plan at prepare time. */
export interface CommandModule<C extends Command = GenericCommand> {
  /** Lower-case command name (and aliases: `bucket` for `bin`). */
  readonly names: readonly string[];
  /** Whether the command can start a pipeline (generating). */
  readonly generating?: boolean;
  prepare(cmd: C, ctx: PrepareContext): CommandPlan | undefined;
}

/** Subsearch result limits (limits.conf [subsearch] maxout; join/append use their own). */
export const SUBSEARCH_MAXOUT = 10_000;
/** limits.conf [join] subsearch_maxout. */
export const JOIN_SUBSEARCH_MAXOUT = 50_000;
/** `append` maxout default. */
export const APPEND_MAXOUT = 50_000;
