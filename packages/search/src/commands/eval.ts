/**
 * `eval a=<expr>, b=<expr>` — the @dac/spl interpreter over each row. Facts:
 * - assignments run left to right, each seeing the fields set before it;
 * - a null result removes the field ("eval on a null field yields null");
 * - a Boolean result cannot be stored: Splunk fails with "Fields cannot be assigned a boolean
 *   result" — reported as a warning, the field left null;
 * - functions the interpreter lacks, and subsearches inside expressions, are reported at
 *   prepare time by name.
 */
import { type EvalExpr, evaluateEval, type GenericCommand, SUPPORTED_EVAL_FUNCTIONS } from '@dac/spl';
import type { CommandModule, PrepareContext } from '../command.js';
import { fromEval, setField } from '../values.js';

/** Checks an eval/where expression: every function implemented, no subsearch. */
export function checkEvalExpr(expr: EvalExpr, ctx: PrepareContext): boolean {
  let ok = true;
  const walk = (e: EvalExpr, d: number): void => {
    if (d > 500 || !ok) return;
    switch (e.kind) {
      case 'call':
        if (!SUPPORTED_EVAL_FUNCTIONS.has(e.fn)) {
          ctx.error(e.span, `not replayable: eval function ${e.fn}() is not implemented`, 'not-replayable');
          ok = false;
          return;
        }
        if (e.fn === 'commands' || e.fn === 'searchmatch') {
          ctx.error(
            e.span,
            `not replayable: eval function ${e.fn}() needs the search context of a Splunk instance`,
            'live-state',
          );
          ok = false;
          return;
        }
        for (const a of e.args) walk(a, d + 1);
        return;
      case 'subsearch':
        ctx.error(e.span, 'not replayable: a subsearch inside an eval expression', 'not-replayable');
        ok = false;
        return;
      case 'unary':
        walk(e.arg, d + 1);
        return;
      case 'binary':
        walk(e.left, d + 1);
        walk(e.right, d + 1);
        return;
      case 'in':
        walk(e.arg, d + 1);
        for (const v of e.values) walk(v, d + 1);
        return;
      default:
        return;
    }
  };
  walk(expr, 0);
  return ok;
}

export const evalCommand: CommandModule<GenericCommand> = {
  names: ['eval'],
  prepare(cmd, ctx) {
    const assignments = cmd.assignments;
    if (!assignments || assignments.length === 0)
      return ctx.error(cmd.spanOfCommand, 'eval: the assignments do not parse');
    for (const a of assignments) if (!checkEvalExpr(a.expr, ctx)) return undefined;
    return {
      name: 'eval',
      span: cmd.spanOfCommand,
      kind: 'streaming',
      stage(next, rt) {
        const opts = { now: rt.now };
        const warned = new Set<number>();
        return {
          push(row) {
            for (let i = 0; i < assignments.length; i++) {
              const a = assignments[i]!;
              const r = evaluateEval(a.expr, row, opts);
              if (!r.ok) {
                if (!warned.has(i)) {
                  warned.add(i);
                  rt.warn('eval', r.message, r.span);
                }
                delete row[a.field];
                continue;
              }
              const v = fromEval(r.value);
              if (v === 'boolean') {
                if (!warned.has(i)) {
                  warned.add(i);
                  rt.warn('eval', `Fields cannot be assigned a boolean result (${a.field})`, a.span);
                }
                delete row[a.field];
                continue;
              }
              setField(row, a.field, v);
            }
            next.push(row);
          },
          end: () => next.end(),
        };
      },
    };
  },
};
