/**
 * `| makeresults [count=<int>] [annotate=<bool>] [format=csv|json data=<string>]` — a generating
 * command. Facts (Search Reference, makeresults): count results (default 1) each with `_time` =
 * the search time; `annotate=true` adds `host`, `source`, `sourcetype` (null) and `splunk_server`
 * (not modelled: reported); `format=csv|json data=…` turns inline data into results (with
 * `_time` unless the data sets it).
 */
import type { GenericCommand } from '@dac/spl';
import { parse as parseCsv } from 'csv-parse/sync';
import { optionsOf, parseBool, parseCount } from '../args.js';
import type { CommandModule } from '../command.js';
import type { Row } from '../types.js';

export const makeresults: CommandModule<GenericCommand> = {
  names: ['makeresults'],
  generating: true,
  prepare(cmd, ctx) {
    if (ctx.index > 0) return ctx.error(cmd.spanOfCommand, 'makeresults must be the first command');
    const o = optionsOf(cmd.args);
    for (const [k, v] of o)
      if (!['count', 'annotate', 'format', 'data', 'splunk_server', 'splunk_server_group'].includes(k))
        return ctx.error(v.span, `makeresults: unknown option ${k}=`);
    if (o.get('annotate') && parseBool(o.get('annotate')!.value))
      return ctx.error(
        o.get('annotate')!.span,
        'not replayable: makeresults annotate=true is not implemented',
        'not-replayable',
      );
    const count = o.get('count') ? parseCount(o.get('count')!.value) : 1;
    if (count === undefined) return ctx.error(o.get('count')!.span, 'makeresults: count= needs an integer');
    const format = o.get('format')?.value.toLowerCase();
    const data = o.get('data')?.value;
    let rows: Row[] | undefined;
    if (format !== undefined) {
      if (data === undefined) return ctx.error(o.get('format')!.span, 'makeresults format= needs data=');
      try {
        if (format === 'json') {
          const j = JSON.parse(data) as unknown;
          const list = Array.isArray(j) ? j : [j];
          rows = list.map((x) => {
            const r: Row = {};
            if (x && typeof x === 'object')
              for (const [k, v] of Object.entries(x as Record<string, unknown>))
                if (v !== null && v !== undefined)
                  r[k] = Array.isArray(v) ? v.map(String) : typeof v === 'number' ? v : String(v);
            return r;
          });
        } else if (format === 'csv') {
          const recs = parseCsv(data, {
            columns: true,
            skip_empty_lines: true,
            bom: true,
            relax_column_count: true,
          }) as Record<string, string>[];
          rows = recs.map((x) => Object.fromEntries(Object.entries(x).filter(([, v]) => v !== '')));
        } else return ctx.error(o.get('format')!.span, 'makeresults format= must be csv or json');
      } catch (e) {
        return ctx.error(o.get('data')!.span, `makeresults data= does not parse as ${format}: ${(e as Error).message}`);
      }
    }
    return {
      name: 'makeresults',
      span: cmd.spanOfCommand,
      kind: 'generating',
      *generate(rt) {
        if (rows) {
          for (const r of rows) yield r._time === undefined ? { _time: Math.floor(rt.now), ...r } : { ...r };
          return;
        }
        for (let i = 0; i < count; i++) yield { _time: Math.floor(rt.now) };
      },
      stage: (next) => next,
    };
  },
};
