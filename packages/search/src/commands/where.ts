/**
 * `where <eval expression>` — keeps a row only when the expression is true; null (a missing
 * field) is not true (eval semantics, splunk-semantics.md §1.5: NOT > AND > OR). Functions the
 * interpreter lacks are reported at prepare time.
 */
import type { GenericCommand } from '@dac/spl';
import { evaluateWhere } from '@dac/spl';
import type { CommandModule } from '../command.js';
import { checkEvalExpr } from './eval.js';

export const where: CommandModule<GenericCommand> = {
  names: ['where'],
  prepare(cmd, ctx) {
    const expr = cmd.expr;
    if (!expr) return ctx.error(cmd.spanOfCommand, 'where: the expression does not parse');
    if (!checkEvalExpr(expr, ctx)) return undefined;
    return {
      name: 'where',
      span: cmd.spanOfCommand,
      rows: 'readonly',
      kind: 'streaming',
      stage(next, rt) {
        const now = rt.now;
        let warned = false;
        return {
          push(row) {
            const r = evaluateWhere(expr, row, { now });
            if (r.ok) {
              if (r.keep) next.push(row);
            } else if (!warned) {
              // Splunk drops the row when the expression fails for it (e.g. a non-Boolean result).
              warned = true;
              rt.warn('where', r.message, r.span);
            }
          },
          end: () => next.end(),
        };
      },
    };
  },
};
