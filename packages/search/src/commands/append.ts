/**
 * `append [<subsearch>]` and `appendpipe [<commands>]`. Facts (Search Reference): append adds
 * the subsearch's results after the current results (the subsearch runs first, at most
 * `maxout` = 50000 results); appendpipe runs its commands over the current results and adds
 * their output after them ("appendpipe is not a subsearch: it sees the results so far"). The
 * current results stream through; appendpipe's sub-pipeline holds only what its own commands
 * hold (a copy of each row goes in).
 */
import type { GenericCommand } from '@dac/spl';
import type { CommandModule } from '../command.js';
import { APPEND_MAXOUT } from '../command.js';
import { chain, collector } from '../engine.js';
import { optionsOf, parseCount } from '../args.js';

export const append: CommandModule<GenericCommand> = {
  names: ['append'],
  prepare(cmd, ctx) {
    const o = optionsOf(cmd.args);
    for (const [k, v] of o)
      if (!['maxout', 'maxtime', 'timeout', 'extendtimerange'].includes(k))
        return ctx.error(v.span, `append: unknown option ${k}=`);
    const maxout = o.get('maxout') ? parseCount(o.get('maxout')!.value) : APPEND_MAXOUT;
    if (maxout === undefined) return ctx.error(o.get('maxout')!.span, 'append: maxout= needs an integer');
    const subs = cmd.args.filter((a) => a.kind === 'subsearch');
    if (subs.length !== 1) return ctx.error(cmd.spanOfCommand, 'append needs one [subsearch]');
    const s = subs[0]! as Extract<(typeof cmd.args)[number], { kind: 'subsearch' }>;
    const sub = ctx.subsearch(s.pipeline, s.span, maxout);
    if (!sub) return undefined;
    return {
      name: 'append',
      span: cmd.spanOfCommand,
      kind: 'streaming',
      subsearches: [sub],
      stage(next, rt) {
        return {
          push: (row) => next.push(row),
          end() {
            for (const r of rt.results(sub)) next.push({ ...r });
            next.end();
          },
        };
      },
    };
  },
};

export const appendpipe: CommandModule<GenericCommand> = {
  names: ['appendpipe'],
  prepare(cmd, ctx) {
    const subs = cmd.args.filter((a) => a.kind === 'subsearch');
    if (subs.length !== 1) return ctx.error(cmd.spanOfCommand, 'appendpipe needs one [commands]');
    const s = subs[0]! as Extract<(typeof cmd.args)[number], { kind: 'subsearch' }>;
    const body = ctx.rowsPipeline(s.pipeline);
    if (!body) return undefined;
    return {
      name: 'appendpipe',
      span: cmd.spanOfCommand,
      kind: 'streaming',
      nested: [body],
      stage(next, rt) {
        const out = collector();
        const head = chain(body.commands, out, rt);
        return {
          push(row) {
            head.push({ ...row });
            next.push(row);
          },
          end() {
            head.end();
            for (const r of out.rows) next.push(r);
            next.end();
          },
        };
      },
    };
  },
};
