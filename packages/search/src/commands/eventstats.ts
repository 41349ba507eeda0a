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
            for (const row of held) {
              const r = g.resultsFor(row);
              if (r) Object.assign(row, r);
              next.push(row);
            }
            next.end();
          },
        };
      },
    };
  },
};
