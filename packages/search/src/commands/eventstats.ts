/**
 * `eventstats <fn>(…) … [by …]` — stats results added to every row of its group, rows kept in
 * order. Blocking: it holds every row until the end, as Splunk's does. A row whose by-field is
 * null gets no results but is kept (unlike stats, which drops it). `allnum` is accepted.
 */
import type { GenericCommand } from '@dac/spl';
import { Grouping } from '../aggregate.js';
import type { CommandModule } from '../command.js';
import type { Row } from '../types.js';
import { parseStatsArgs } from './stats.js';

/**
 * A text equal for two values only when they are the same value (type and all): strings quoted
 * (JSON, which escapes every quote and control character in them), numbers as written (`-0`
 * kept apart), arrays by their elements.
 */
function rawKey(v: unknown): string {
  if (v === undefined) return 'u';
  if (typeof v === 'string') return `s${JSON.stringify(v)}`;
  if (typeof v === 'number') return Object.is(v, -0) ? 'n-0' : `n${v}`;
  if (Array.isArray(v)) return `a${v.length}[${v.map(rawKey).join(',')}]`;
  return `o${typeof v}:${String(v)}`;
}

/**
 * Pushes each held row with its group's results (Grouping.resultsFor) added, in order. A
 * group's results are computed once, not once per row (resultsFor recomputes every aggregate
 * — avg, stdev — over the whole group: quadratic in the group's size): they are remembered by
 * the row's by-field values, which decide its group (two rows with the same values are in the
 * same group; rows with different ones merely compute again). Each row gets its own copies of
 * multivalue results, as a call per row gives, so a later stage changing one row's values
 * cannot change another's. `memo: false` is the plain path (one call per row), kept for the
 * test holding the two equal.
 */
export function addGroupResults(
  held: readonly Row[],
  g: Grouping,
  by: readonly string[],
  next: { push(row: Row): void },
  memo = true,
): void {
  if (!memo) {
    for (const row of held) {
      const r = g.resultsFor(row);
      if (r) Object.assign(row, r);
      next.push(row);
    }
    return;
  }
  const known = new Map<string, Row | undefined>();
  for (const row of held) {
    // Read before the results are added (they may overwrite a by-field).
    let key = '';
    for (const f of by) key += `${rawKey(row[f])};`;
    let r: Row | undefined;
    if (known.has(key)) r = known.get(key);
    else known.set(key, (r = g.resultsFor(row)));
    if (r) {
      Object.assign(row, r);
      for (const k of Object.keys(r)) {
        const v = r[k];
        if (Array.isArray(v)) row[k] = v.slice();
      }
    }
    next.push(row);
  }
}

export const eventstats: CommandModule<GenericCommand> = {
  names: ['eventstats'],
  prepare(cmd, ctx) {
    const args = parseStatsArgs(cmd, ctx);
    if (!args) return undefined;
    return {
      name: 'eventstats',
      span: cmd.spanOfCommand,
      kind: 'blocking',
      quiet: true,
      stage(next, rt) {
        const g = new Grouping(args.aggs, { byNames: args.by, now: rt.now });
        const held: Row[] = [];
        return {
          push(row) {
            g.add(row);
            held.push(row);
          },
          end() {
            addGroupResults(held, g, args.by, next);
            next.end();
          },
        };
      },
    };
  },
};
