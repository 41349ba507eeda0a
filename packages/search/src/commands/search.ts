/**
 * `search` — the base search (first command, over events) and `| search` (over rows), with the
 * search language's semantics (./search-expr.ts). Subsearches `[ … ]` in the expression run
 * first; their results become an OR of AND-terms, as Splunk's `format` renders them.
 */
import type { SearchCommand, SearchExpr } from '@dac/spl';
import type { CommandModule } from '../command.js';
import { SUBSEARCH_MAXOUT } from '../command.js';
import type { SubPlan } from '../engine.js';
import { compileSearch, type Predicate, subsearchesOf, subsearchExpr } from '../search-expr.js';
import type { Row } from '../types.js';
import { copyRow } from '../values.js';

export const search: CommandModule<SearchCommand> = {
  names: ['search'],
  prepare(cmd, ctx) {
    const subs = new Map<Extract<SearchExpr, { kind: 'subsearch' }>, SubPlan>();
    for (const s of subsearchesOf(cmd.expr)) {
      const sub = ctx.subsearch(s.pipeline, s.span, SUBSEARCH_MAXOUT);
      if (!sub) return undefined;
      subs.set(s, sub);
    }
    // The base search reads the caller's events: it keeps a copy of each match when a later stage
    // may modify rows (the preparer decides: copyEvents).
    const base = ctx.index === 0 && ctx.source === 'events';
    // Without subsearches the predicate is the same for every run: compiled once, on first use
    // (`dac scan` opens a run per detection and log). The leading search over events may run as
    // a compiled predicate (a generated matcher); not with subsearches, whose results are only
    // known at run time.
    let compiled: Predicate | undefined;
    const predicate = (): Predicate | undefined =>
      subs.size > 0
        ? undefined
        : (compiled ??=
            (base
              ? ctx.options.compiledPredicate?.({ command: 'search', expr: cmd.expr, span: cmd.spanOfCommand })
              : undefined) ?? compileSearch(cmd.expr));
    return {
      name: 'search',
      span: cmd.spanOfCommand,
      kind: 'streaming',
      rows: 'readonly',
      copyEvents: base,
      // It warns only about subsearch results that do not form a search.
      quiet: subs.size === 0,
      subsearches: [...subs.values()],
      ...(base && subs.size === 0 ? { accepts: (row) => predicate()!(row as Row) } : {}),
      stage(next, rt) {
        const copy = base && this.copyEvents !== false;
        const matches =
          predicate() ??
          compileSearch(cmd.expr, {
            subsearch: (node) => {
              const sub = subs.get(node)!;
              const r = subsearchExpr(rt.results(sub));
              if (r.problem) rt.warn('search', r.problem, node.span);
              return r.expr;
            },
          });
        return {
          push(row) {
            if (matches(row)) next.push(copy ? copyRow(row) : row);
          },
          end: () => next.end(),
        };
      },
    };
  },
};
