/**
 * `head [<N> | limit=<N>] [(<eval-expression>)] [null=<bool>] [keeplast=<bool>]` and
 * `tail [<N>]`, `reverse`. Facts (Search Reference): head returns the first N results (default
 * 10) in search order; with an expression it returns results until the expression is false
 * (`null=false`: a null result stops too; `keeplast=true` keeps the row that stopped it); tail
 * returns the last N (default 10) "in reverse order"; reverse reverses the order.
 */
import type { GenericCommand } from '@dac/spl';
import { evaluateWhere } from '@dac/spl';
import { optionsOf, parseBool, parseCount, parseWhereAt, wordsOf } from '../args.js';
import type { CommandModule } from '../command.js';
import type { Row } from '../types.js';
import { checkEvalExpr } from './eval.js';

export const HEAD_DEFAULT = 10;

export const head: CommandModule<GenericCommand> = {
  names: ['head'],
  prepare(cmd, ctx) {
    const o = optionsOf(cmd.args);
    for (const [k, v] of o)
      if (!['limit', 'null', 'keeplast'].includes(k)) return ctx.error(v.span, `head: unknown option ${k}=`);
    const ws = wordsOf(cmd.args);
    let limit = HEAD_DEFAULT;
    let expr: import('@dac/spl').EvalExpr | undefined;
    if (o.get('limit')) {
      const n = parseCount(o.get('limit')!.value);
      if (n === undefined) return ctx.error(o.get('limit')!.span, 'head: limit= needs an integer');
      limit = n;
    }
    for (const w of ws) {
      const n = parseCount(w.value);
      if (n !== undefined && !w.quoted) limit = n;
      else if (w.value.startsWith('(') && w.value.endsWith(')')) {
        const p = parseWhereAt(w.value.slice(1, -1), w.span.start + 1);
        if (!p.ok) return ctx.error(p.span, `head: ${p.message}`);
        if (!checkEvalExpr(p.value, ctx)) return undefined;
        expr = p.value;
        limit = Number.POSITIVE_INFINITY;
      } else return ctx.error(w.span, `head: expected a count or a (condition), found "${w.value}"`);
    }
    const nullStops = o.get('null') ? parseBool(o.get('null')!.value) === false : true;
    const keepLast = o.get('keeplast') ? parseBool(o.get('keeplast')!.value) === true : false;
    return {
      name: 'head',
      span: cmd.spanOfCommand,
      rows: 'readonly',
      kind: 'streaming',
      stage(next, rt) {
        let n = 0;
        let stopped = false;
        return {
          push(row) {
            if (stopped || n >= limit) return;
            if (expr) {
              const r = evaluateWhere(expr, row, { now: rt.now });
              const keep = r.ok && r.keep;
              const isNullResult = r.ok && !r.keep;
              if (!keep && (nullStops || !isNullResult)) {
                stopped = true;
                if (keepLast) next.push(row);
                return;
              }
            }
            n++;
            next.push(row);
          },
          end: () => next.end(),
        };
      },
    };
  },
};

export const tail: CommandModule<GenericCommand> = {
  names: ['tail'],
  prepare(cmd, ctx) {
    const ws = wordsOf(cmd.args);
    let limit = HEAD_DEFAULT;
    if (ws[0]) {
      const n = parseCount(ws[0].value);
      if (n === undefined || ws.length > 1) return ctx.error(ws[0].span, 'tail: expected a count');
      limit = n;
    }
    return {
      name: 'tail',
      span: cmd.spanOfCommand,
      rows: 'readonly',
      kind: 'blocking',
      stage(next) {
        // A ring of the last N rows.
        const ring: Row[] = [];
        return {
          push(row) {
            if (limit === 0) return;
            ring.push(row);
            if (ring.length > limit) ring.shift();
          },
          end() {
            for (let i = ring.length - 1; i >= 0; i--) next.push(ring[i]!);
            next.end();
          },
        };
      },
    };
  },
};

export const reverse: CommandModule<GenericCommand> = {
  names: ['reverse'],
  prepare(cmd) {
    return {
      name: 'reverse',
      span: cmd.spanOfCommand,
      rows: 'readonly',
      kind: 'blocking',
      stage(next) {
        const held: Row[] = [];
        return {
          push: (row) => held.push(row),
          end() {
            for (let i = held.length - 1; i >= 0; i--) next.push(held[i]!);
            next.end();
          },
        };
      },
    };
  },
};
