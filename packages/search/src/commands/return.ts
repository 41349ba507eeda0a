/**
 * `return [<count>] [<alias>=<field>…] [<field>…] [$<field>…]` and `format`. Facts (Search
 * Reference, return/format): return builds one `search` field from the first `count` results
 * (default 1): `field` gives `field="value"`, `alias=field` gives `alias="value"`, `$field` the
 * bare value; several results are parenthesised and joined by OR. format builds
 * `( ( a="1" AND b="2" ) OR ( … ) )` from all results, with the six optional texts
 * (row prefix, column prefix, column separator, column end, row separator, row end),
 * `maxresults=` (default 0 = all) and `emptystr=` (default "NOT ()").
 */
import type { GenericCommand } from '@dac/spl';
import { optionsOf, parseCount, wordsOf } from '../args.js';
import type { CommandModule } from '../command.js';
import { formatResults } from '../search-expr.js';
import type { Row } from '../types.js';
import { text, valuesOf } from '../values.js';

function quote(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export const returnCommand: CommandModule<GenericCommand> = {
  names: ['return'],
  prepare(cmd, ctx) {
    let count = 1;
    const items: { name: string; field: string; bare: boolean }[] = [];
    let first = true;
    for (const a of cmd.args) {
      if (a.kind === 'subsearch') return ctx.error(a.span, 'return: unexpected subsearch');
      if (a.kind === 'option') items.push({ name: a.key, field: a.value.value, bare: false });
      else {
        const v = a.value.value;
        if (first && parseCount(v) !== undefined) count = Math.max(1, parseCount(v)!);
        else if (v.startsWith('$')) items.push({ name: v.slice(1), field: v.slice(1), bare: true });
        else items.push({ name: v, field: v, bare: false });
      }
      first = false;
    }
    if (items.length === 0) return ctx.error(cmd.spanOfCommand, 'return needs at least one field');
    return {
      name: 'return',
      span: cmd.spanOfCommand,
      rows: 'fresh',
      kind: 'blocking',
      stage(next) {
        const rows: Row[] = [];
        return {
          push(row) {
            if (rows.length < count) rows.push(row);
          },
          end() {
            const parts = rows
              .map((r) =>
                items
                  .flatMap((it) => {
                    const vs = valuesOf(r[it.field]);
                    if (vs.length === 0) return [];
                    const v = text(vs[0]!);
                    return [it.bare ? v : `${it.name}=${quote(v)}`];
                  })
                  .join(' '),
              )
              .filter((p) => p !== '');
            const search = parts.length <= 1 ? (parts[0] ?? '') : parts.map((p) => `(${p})`).join(' OR ');
            next.push({ search });
            next.end();
          },
        };
      },
    };
  },
};

export const format: CommandModule<GenericCommand> = {
  names: ['format'],
  prepare(cmd, ctx) {
    const o = optionsOf(cmd.args);
    for (const [k, v] of o)
      if (!['mvsep', 'maxresults', 'emptystr'].includes(k)) return ctx.error(v.span, `format: unknown option ${k}=`);
    const ws = wordsOf(cmd.args);
    if (ws.length !== 0 && ws.length !== 6)
      return ctx.error(
        ws[0]!.span,
        'format takes either no texts or all six (row prefix, column prefix, column separator, column end, row separator, row end)',
      );
    const max = o.get('maxresults') ? parseCount(o.get('maxresults')!.value) : 0;
    if (max === undefined) return ctx.error(o.get('maxresults')!.span, 'format: maxresults= needs an integer');
    const t = ws.map((w) => w.value);
    const opts = {
      rowPrefix: t[0],
      colPrefix: t[1],
      colSeparator: t[2],
      colEnd: t[3],
      rowSeparator: t[4],
      rowEnd: t[5],
      emptyStr: o.get('emptystr')?.value,
    };
    return {
      name: 'format',
      span: cmd.spanOfCommand,
      rows: 'fresh',
      kind: 'blocking',
      stage(next) {
        const rows: Row[] = [];
        return {
          push(row) {
            if (max === 0 || rows.length < max) rows.push(row);
          },
          end() {
            next.push({ search: formatResults(rows, opts) });
            next.end();
          },
        };
      },
    };
  },
};
