/**
 * `| inputlookup [append=<bool>] [start=<int>] [max=<int>] <table> [where <search-expression>]`
 * — a generating command: the table's rows, in file order, filtered by the where clause (search
 * language: case-insensitive values and wildcards). Empty cells are null. `append=true` after
 * other commands adds the rows after the incoming ones.
 */
import type { GenericCommand } from '@dac/spl';
import { optionsOf, parseBool, parseCount, parseSearchAt, wordsOf } from '../args.js';
import type { CommandModule } from '../command.js';
import { compileSearch } from '../search-expr.js';
import type { LookupTable, Row } from '../types.js';
import { resolveTable } from './lookup.js';

function rowsOf(table: LookupTable, start: number, max: number): Row[] {
  const out: Row[] = [];
  const end = max === 0 ? table.rows.length : Math.min(table.rows.length, start + max);
  for (let i = start; i < end; i++) {
    const r = table.rows[i]!;
    const row: Row = {};
    for (const f of table.fields) {
      const v = r[f];
      if (v !== undefined && v !== '') row[f] = v;
    }
    out.push(row);
  }
  return out;
}

export const inputlookup: CommandModule<GenericCommand> = {
  names: ['inputlookup'],
  generating: true,
  prepare(cmd, ctx) {
    // Options come before `where …`; the where clause is search text (its `a=b` are not options).
    const whereAt =
      cmd.args.find((a) => a.kind === 'word' && /^where$/i.test(a.value.value))?.span.start ?? Number.POSITIVE_INFINITY;
    const o = optionsOf(cmd.args.filter((a) => a.span.start < whereAt));
    for (const [k, v] of o)
      if (!['append', 'start', 'max', 'strict'].includes(k))
        return ctx.error(v.span, `inputlookup: unknown option ${k}=`);
    const append = o.get('append') ? parseBool(o.get('append')!.value) === true : false;
    if (ctx.index > 0 && !append)
      return ctx.error(cmd.spanOfCommand, 'inputlookup must be the first command (or use append=true)');
    const start = o.get('start') ? parseCount(o.get('start')!.value) : 0;
    const max = o.get('max') ? parseCount(o.get('max')!.value) : 0;
    if (start === undefined || max === undefined)
      return ctx.error(cmd.spanOfCommand, 'inputlookup: start= and max= need integers');
    const ws = wordsOf(cmd.args.filter((a) => a.span.start <= whereAt));
    const name = ws[0];
    if (!name) return ctx.error(cmd.spanOfCommand, 'inputlookup needs a lookup table name');
    const table = resolveTable(name, 'inputlookup', ctx);
    if (!table) return undefined;
    let filter = compileSearch(undefined);
    const w = ws[1];
    if (w) {
      if (!/^where$/i.test(w.value)) return ctx.error(w.span, 'inputlookup: expected "where" after the table name');
      const base = cmd.textSpan?.start ?? 0;
      const whereText = cmd.text.slice(w.span.end - base);
      const parsed = parseSearchAt(whereText, w.span.end);
      if (!parsed.ok) return ctx.error(parsed.span, `inputlookup where: ${parsed.message}`);
      filter = compileSearch(parsed.value);
    }
    const produce = () => rowsOf(table, start, max).filter(filter);
    return {
      name: 'inputlookup',
      span: cmd.spanOfCommand,
      kind: 'generating',
      generate: produce,
      stage(next) {
        return {
          push: (row) => next.push(row),
          end() {
            for (const r of produce()) next.push(r);
            next.end();
          },
        };
      },
    };
  },
};
