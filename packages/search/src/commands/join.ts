/**
 * `join [type=inner|outer|left] [max=<int>] [overwrite=<bool>] [<field>…] [<subsearch>]` —
 * Facts (Search Reference, join; limits.conf [join]):
 * - the subsearch runs first, at most 50000 results (subsearch_maxout);
 * - type=inner (default) keeps only main results that match; left/outer keep them all;
 * - "max=1 by default": each main result joins the first matching subsearch result
 *   (max=0: every match, one output row per match);
 * - join fields compare exactly (case-sensitive); a main result with a null join field does not
 *   match; without a field list join uses the fields common to both results;
 * - overwrite=true (default): the subsearch's values replace the main result's.
 * The main results stream; only the subsearch results are held (indexed by join values).
 */
import type { GenericCommand } from '@dac/spl';
import { fieldNames, optionsOf, parseBool, parseCount, wordsOf } from '../args.js';
import type { CommandModule } from '../command.js';
import { JOIN_SUBSEARCH_MAXOUT } from '../command.js';
import type { Row } from '../types.js';
import { text, valuesOf } from '../values.js';

function keyOf(row: Row, fields: readonly string[]): string | undefined {
  let k = '';
  for (const f of fields) {
    const vs = valuesOf(row[f]);
    if (vs.length === 0) return undefined;
    k += `${vs.map(text).join('\u0001')}\u0000`;
  }
  return k;
}

function merge(main: Row, sub: Row, overwrite: boolean): Row {
  const out: Row = { ...main };
  for (const k in sub) {
    const v = sub[k];
    if (v === undefined) continue;
    if (overwrite || out[k] === undefined) out[k] = v;
  }
  return out;
}

export const join: CommandModule<GenericCommand> = {
  names: ['join'],
  prepare(cmd, ctx) {
    const o = optionsOf(cmd.args);
    for (const [k, v] of o)
      if (!['type', 'max', 'overwrite', 'usetime', 'earlier', 'left', 'right', 'where'].includes(k))
        return ctx.error(v.span, `join: unknown option ${k}=`);
    for (const k of ['left', 'right', 'where'])
      if (o.get(k)) return ctx.error(o.get(k)!.span, `not replayable: join ${k}= is not implemented`, 'not-replayable');
    if (o.get('usetime') && parseBool(o.get('usetime')!.value))
      return ctx.error(
        o.get('usetime')!.span,
        'not replayable: join usetime=true is not implemented',
        'not-replayable',
      );
    const type = (o.get('type')?.value ?? 'inner').toLowerCase();
    if (!['inner', 'outer', 'left'].includes(type))
      return ctx.error(o.get('type')!.span, 'join: type= must be inner, outer or left');
    const max = o.get('max') ? parseCount(o.get('max')!.value) : 1;
    if (max === undefined) return ctx.error(o.get('max')!.span, 'join: max= needs an integer');
    const overwrite = o.get('overwrite') ? parseBool(o.get('overwrite')!.value) !== false : true;
    const subs = cmd.args.filter((a) => a.kind === 'subsearch');
    if (subs.length !== 1) return ctx.error(cmd.spanOfCommand, 'join needs one [subsearch]');
    const s = subs[0]! as Extract<(typeof cmd.args)[number], { kind: 'subsearch' }>;
    const sub = ctx.subsearch(s.pipeline, s.span, JOIN_SUBSEARCH_MAXOUT);
    if (!sub) return undefined;
    const fields = fieldNames(wordsOf(cmd.args)).map((w) => w.value);
    const keepUnmatched = type !== 'inner';
    return {
      name: 'join',
      span: cmd.spanOfCommand,
      kind: 'streaming',
      subsearches: [sub],
      quiet: true,
      // Every output row is a main result's (merged or kept): none without main results.
      nothingFromNoRows: true,
      // type=inner over a subsearch that gave no rows: no main result matches, none is kept.
      givesNoRows: (rt) => !keepUnmatched && rt.results(sub).length === 0,
      stage(next, rt) {
        const right = rt.results(sub);
        const index = new Map<string, Row[]>();
        if (fields.length > 0)
          for (const r of right) {
            const k = keyOf(r, fields);
            if (k === undefined) continue;
            let l = index.get(k);
            if (!l) index.set(k, (l = []));
            l.push(r);
          }
        return {
          push(row) {
            let matches: Row[];
            if (fields.length > 0) {
              const k = keyOf(row, fields);
              matches = k === undefined ? [] : (index.get(k) ?? []);
            } else {
              matches = right.filter((r) => {
                const common = Object.keys(r).filter((f) => row[f] !== undefined && r[f] !== undefined);
                return common.length > 0 && keyOf(row, common) === keyOf(r, common);
              });
            }
            if (matches.length === 0) {
              if (keepUnmatched) next.push(row);
              return;
            }
            const n = max === 0 ? matches.length : Math.min(max, matches.length);
            for (let i = 0; i < n; i++) next.push(merge(row, matches[i]!, overwrite));
          },
          end: () => next.end(),
        };
      },
    };
  },
};
