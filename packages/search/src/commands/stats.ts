/**
 * `stats <fn>(…) [as name] … [by f1, f2 …]` — blocking: holds one accumulator set per group
 * (never the events) and outputs one row per group at the end, by-fields first, in GROUP_ORDER.
 * Facts: "stats drops events whose by-field is null"; "a multivalue by-field counts the event in
 * each value's group"; "stats without by returns one row, count=0 over no events"; the function
 * facts are in ../aggregate.ts.
 */
import type { GenericCommand } from '@dac/spl';
import { type AggSpec, Grouping, parseAggregateList } from '../aggregate.js';
import { fieldNames, wordsOf } from '../args.js';
import type { CommandModule, PrepareContext } from '../command.js';

/** Options of stats/eventstats/streamstats that do not change results offline. */
const HARMLESS_OPTIONS = new Set(['partitions', 'allnum', 'delim', 'dedup_splitvals', 'instance_field']);

export interface StatsArgs {
  aggs: AggSpec[];
  by: string[];
}

/** Parses `<aggregates> [by <fields>]` of stats-like commands; options are checked by `allowed`. */
export function parseStatsArgs(
  cmd: GenericCommand,
  ctx: PrepareContext,
  allowed: ReadonlySet<string> = HARMLESS_OPTIONS,
): StatsArgs | undefined {
  for (const a of cmd.args) {
    if (a.kind === 'subsearch') return ctx.error(a.span, `${cmd.name}: a subsearch argument is not supported`);
    if (a.kind === 'option' && !allowed.has(a.key.toLowerCase()) && !HARMLESS_OPTIONS.has(a.key.toLowerCase()))
      return ctx.error(a.span, `not replayable: ${cmd.name} option ${a.key}= is not implemented`, 'not-replayable');
  }
  const parsed = parseAggregateList(wordsOf(cmd.args));
  if (!parsed.ok) return ctx.error(parsed.span, `${cmd.name}: ${parsed.message}`);
  if (parsed.aggs.length === 0)
    return ctx.error(cmd.spanOfCommand, `${cmd.name} needs at least one statistical function`);
  return { aggs: parsed.aggs, by: fieldNames(parsed.by).map((w) => w.value) };
}

export const stats: CommandModule<GenericCommand> = {
  names: ['stats'],
  prepare(cmd, ctx) {
    const args = parseStatsArgs(cmd, ctx);
    if (!args) return undefined;
    return {
      name: 'stats',
      span: cmd.spanOfCommand,
      rows: 'fresh',
      kind: 'blocking',
      quiet: true,
      stage(next, rt) {
        const g = new Grouping(args.aggs, { byNames: args.by, now: rt.now });
        return {
          push: (row) => g.add(row),
          end() {
            for (const r of g.rows()) next.push(r);
            next.end();
          },
        };
      },
    };
  },
};
