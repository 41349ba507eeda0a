/**
 * `mvexpand <field> [limit=<int>]` — one row per value of a multivalue field, each a copy of the
 * row with the field set to that value (Search Reference, mvexpand). A row without the field is
 * kept unchanged [unverified]; `limit` caps the values expanded per row.
 */
import type { GenericCommand } from '@dac/spl';
import { fieldNames, optionsOf, parseCount, wordsOf } from '../args.js';
import type { CommandModule } from '../command.js';

export const mvexpand: CommandModule<GenericCommand> = {
  names: ['mvexpand'],
  prepare(cmd, ctx) {
    const o = optionsOf(cmd.args);
    for (const [k, v] of o) if (k !== 'limit') return ctx.error(v.span, `mvexpand: unknown option ${k}=`);
    const limit = o.get('limit') ? parseCount(o.get('limit')!.value) : 0;
    if (limit === undefined) return ctx.error(o.get('limit')!.span, 'mvexpand: limit= needs an integer');
    const ws = fieldNames(wordsOf(cmd.args));
    if (ws.length !== 1) return ctx.error(ws[1]?.span ?? cmd.spanOfCommand, 'mvexpand needs exactly one field');
    const field = ws[0]!.value;
    return {
      name: 'mvexpand',
      span: cmd.spanOfCommand,
      kind: 'streaming',
      stage(next) {
        return {
          push(row) {
            const v = row[field];
            if (!Array.isArray(v)) {
              next.push(row);
              return;
            }
            const n = limit === 0 ? v.length : Math.min(limit, v.length);
            for (let i = 0; i < n; i++)
              next.push(i === n - 1 ? Object.assign(row, { [field]: v[i] }) : { ...row, [field]: v[i] });
          },
          end: () => next.end(),
        };
      },
    };
  },
};
