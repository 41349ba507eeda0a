/**
 * The SPL AST types this package consumes (contract: packages/spl/src/ast.ts).
 */
export type { AggregateCall, CompareOp, Literal, SearchExpr, Span, TstatsCommand } from '@dac/spl';
