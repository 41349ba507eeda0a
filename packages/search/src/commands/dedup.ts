/**
 * `dedup [<int>] <field>… [keepevents=<bool>] [keepempty=<bool>] [consecutive=<bool>]
 * [sortby <sort-by-clause>]` — Facts (Search Reference, dedup): "dedup keeps the first event" (the
 * first N) of each combination of values, in search order; "events where any of the fields is
 * null are removed" unless `keepempty=true`; `keepevents=true` keeps duplicates but removes the
 * dedup fields from them; `consecutive=true` removes only consecutive duplicates; `sortby` sorts
 * the kept events (as `sort`). A multivalue field compares as its whole list of values.
 */
import type { GenericCommand } from '@dac/spl';
import { fieldNames, optionsOf, parseBool, parseCount, wordsOf } from '../args.js';
import type { CommandModule } from '../command.js';
import type { Row } from '../types.js';
import { text, valuesOf } from '../values.js';
import { parseSortClause, sortRows } from './sort.js';

export const dedup: CommandModule<GenericCommand> = {
  names: ['dedup'],
  prepare(cmd, ctx) {
    const o = optionsOf(cmd.args);
    for (const [k, v] of o)
      if (!['keepevents', 'keepempty', 'consecutive'].includes(k))
        return ctx.error(v.span, `dedup: unknown option ${k}=`);
    const flag = (k: string) => (o.get(k) ? parseBool(o.get(k)!.value) === true : false);
    const keepEvents = flag('keepevents');
    const keepEmpty = flag('keepempty');
    const consecutive = flag('consecutive');
    let ws = fieldNames(wordsOf(cmd.args));
    let n = 1;
    if (ws[0] && parseCount(ws[0].value) !== undefined) {
      n = Math.max(1, parseCount(ws[0].value)!);
      ws = ws.slice(1);
    }
    const sb = ws.findIndex((w) => !w.quoted && /^sortby$/i.test(w.value));
    const sortWords = sb < 0 ? [] : ws.slice(sb + 1);
    if (sb >= 0) ws = ws.slice(0, sb);
    if (ws.length === 0) return ctx.error(cmd.spanOfCommand, 'dedup needs at least one field');
    const fields = ws.map((w) => w.value);
    const sortBy = sortWords.length ? parseSortClause(sortWords, ctx) : undefined;
    if (sortWords.length && !sortBy) return undefined;
    return {
      name: 'dedup',
      span: cmd.spanOfCommand,
      kind: sortBy ? 'blocking' : 'streaming',
      quiet: true,
      rows: keepEvents ? undefined : 'readonly',
      stage(next) {
        const seen = new Map<string, number>();
        let last: string | undefined;
        let lastCount = 0;
        const held: Row[] = [];
        const out = (r: Row) => (sortBy ? held.push(r) : next.push(r));
        return {
          push(row) {
            let key = '';
            for (const f of fields) {
              const vs = valuesOf(row[f]);
              if (vs.length === 0) {
                if (keepEmpty) out(row);
                return;
              }
              key += `${vs.map(text).join('\u0001')}\u0000`;
            }
            let count: number;
            if (consecutive) {
              count = key === last ? lastCount + 1 : 1;
              last = key;
              lastCount = count;
            } else {
              count = (seen.get(key) ?? 0) + 1;
              seen.set(key, count);
            }
            if (count <= n) out(row);
            else if (keepEvents) {
              for (const f of fields) delete row[f];
              out(row);
            }
          },
          end() {
            if (sortBy) for (const r of sortRows(held, sortBy, 0)) next.push(r);
            next.end();
          },
        };
      },
    };
  },
};
