/**
 * `addtotals [row=<bool>] [col=<bool>] [labelfield=<f>] [label=<s>] [fieldname=<f>] [<field>…]` —
 * Facts (Search Reference, addtotals): row=true (default) adds to each result the sum of its
 * numeric fields (the listed ones, wildcards allowed; default every numeric field) in `fieldname`
 * (default "Total"); col=true (default false) adds a final result with the sum of each field over
 * all results, labelled with `label` (default "Total") in `labelfield` when given.
 */
import type { GenericCommand } from '@dac/spl';
import { fieldNames, optionsOf, parseBool, wordsOf } from '../args.js';
import type { CommandModule } from '../command.js';
import type { Row } from '../types.js';
import { fieldPattern, toNumber } from '../values.js';

export const addtotals: CommandModule<GenericCommand> = {
  names: ['addtotals'],
  prepare(cmd, ctx) {
    const o = optionsOf(cmd.args);
    for (const [k, v] of o)
      if (!['row', 'col', 'labelfield', 'label', 'fieldname'].includes(k))
        return ctx.error(v.span, `addtotals: unknown option ${k}=`);
    const row = o.get('row') ? parseBool(o.get('row')!.value) !== false : true;
    const col = o.get('col') ? parseBool(o.get('col')!.value) === true : false;
    const fieldname = o.get('fieldname')?.value ?? 'Total';
    const label = o.get('label')?.value ?? 'Total';
    const labelfield = o.get('labelfield')?.value;
    const pats = fieldNames(wordsOf(cmd.args)).map((w) => fieldPattern(w.value));
    const selected = (k: string) =>
      (pats.length === 0 ? !k.startsWith('_') : pats.some((p) => p.test(k))) && k !== fieldname;
    return {
      name: 'addtotals',
      span: cmd.spanOfCommand,
      kind: col ? 'blocking' : 'streaming',
      stage(next) {
        const sums = new Map<string, number>();
        const held: Row[] = [];
        return {
          push(r) {
            let total = 0;
            let any = false;
            for (const k of Object.keys(r)) {
              if (!selected(k)) continue;
              const v = r[k];
              const n = Array.isArray(v) ? undefined : toNumber(v);
              if (n === undefined) continue;
              total += n;
              any = true;
              if (col) sums.set(k, (sums.get(k) ?? 0) + n);
            }
            if (row && any) {
              r[fieldname] = total;
              if (col) sums.set(fieldname, (sums.get(fieldname) ?? 0) + total);
            }
            if (col) held.push(r);
            else next.push(r);
          },
          end() {
            if (col) {
              for (const r of held) next.push(r);
              const t: Row = Object.fromEntries(sums);
              if (labelfield) t[labelfield] = label;
              next.push(t);
            }
            next.end();
          },
        };
      },
    };
  },
};
