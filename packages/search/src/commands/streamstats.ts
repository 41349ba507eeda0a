/**
 * `streamstats [current=<bool>] [window=<int>] [global=<bool>] [reset_on_change=<bool>]
 * <fn>(…) … [by …]` — running statistics in row order, added to each row. Facts (Search
 * Reference, streamstats): `current=true` (default) includes the row itself; `window=N` (default
 * 0 = all rows so far) limits the statistics to the last N rows of the group; `reset_on_change`
 * restarts every group when a by-field value changes. `time_window` and `reset_before/after`
 * are not implemented (reported).
 */
import type { GenericCommand } from '@dac/spl';
import { type AggSpec, aggregateInput, type Accumulator, newAccumulator } from '../aggregate.js';
import { optionsOf, parseBool, parseCount } from '../args.js';
import type { CommandModule } from '../command.js';
import type { Row } from '../types.js';
import { text, valuesOf } from '../values.js';
import { parseStatsArgs } from './stats.js';

const OPTIONS = new Set(['current', 'window', 'global', 'reset_on_change']);

export const streamstats: CommandModule<GenericCommand> = {
  names: ['streamstats'],
  prepare(cmd, ctx) {
    const args = parseStatsArgs(cmd, ctx, OPTIONS);
    if (!args) return undefined;
    const o = optionsOf(cmd.args);
    const bool = (k: string, d: boolean) => {
      const v = o.get(k);
      if (!v) return d;
      const b = parseBool(v.value);
      if (b === undefined) ctx.error(v.span, `streamstats: ${k}= needs true or false`);
      return b ?? d;
    };
    const current = bool('current', true);
    const resetOnChange = bool('reset_on_change', false);
    const w = o.get('window');
    const window = w ? parseCount(w.value) : 0;
    if (window === undefined) return ctx.error(w!.span, 'streamstats: window= needs a non-negative integer');
    const aggs: AggSpec[] = args.aggs;
    return {
      name: 'streamstats',
      span: cmd.spanOfCommand,
      kind: 'streaming',
      stage(next, rt) {
        const groups = new Map<string, { accs?: Accumulator[]; rows: Row[] }>();
        let lastKey: string | undefined;
        const keyOf = (row: Row): string | undefined => {
          let k = '';
          for (const f of args.by) {
            const vs = valuesOf(row[f]);
            if (vs.length === 0) return undefined;
            k += `${vs.map(text).join('\u0001')}\u0000`;
          }
          return k;
        };
        const results = (inputs: Row[]): Row => {
          const out: Row = {};
          aggs.forEach((a) => {
            const acc = newAccumulator(a);
            for (const r of inputs) acc.add(aggregateInput(a, r, rt.now), r);
            const v = acc.result();
            if (v !== undefined) out[a.name] = v;
          });
          return out;
        };
        return {
          push(row) {
            const k = keyOf(row);
            if (k === undefined) {
              next.push(row);
              return;
            }
            if (resetOnChange && lastKey !== undefined && k !== lastKey) groups.clear();
            lastKey = k;
            let g = groups.get(k);
            if (!g) {
              g = { rows: [] };
              if (window === 0) g.accs = aggs.map(newAccumulator);
              groups.set(k, g);
            }
            const snapshot = { ...row };
            let out: Row;
            if (g.accs) {
              // Unbounded window: running accumulators; current=false reads them before adding.
              if (!current) out = readAccs(aggs, g.accs);
              for (let i = 0; i < aggs.length; i++)
                g.accs[i]!.add(aggregateInput(aggs[i]!, snapshot, rt.now), snapshot);
              if (current) out = readAccs(aggs, g.accs);
            } else {
              if (current) {
                g.rows.push(snapshot);
                if (g.rows.length > window) g.rows.shift();
                out = results(g.rows);
              } else {
                out = results(g.rows);
                g.rows.push(snapshot);
                if (g.rows.length > window) g.rows.shift();
              }
            }
            Object.assign(row, out!);
            next.push(row);
          },
          end: () => next.end(),
        };
      },
    };
  },
};

function readAccs(aggs: readonly AggSpec[], accs: readonly Accumulator[]): Row {
  const out: Row = {};
  for (let i = 0; i < aggs.length; i++) {
    const v = accs[i]!.result();
    if (v !== undefined) out[aggs[i]!.name] = v;
  }
  return out;
}
