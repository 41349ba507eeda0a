/**
 * `addinfo` — adds the search's information fields (Search Reference, addinfo):
 * `info_min_time` / `info_max_time` (the time range; "+Infinity" for an all-time latest, 0 for an
 * all-time earliest), `info_search_time` (the search time) and `info_sid` (here a fixed
 * `dac-offline` id).
 */
import type { GenericCommand } from '@dac/spl';
import type { CommandModule } from '../command.js';

export const addinfo: CommandModule<GenericCommand> = {
  names: ['addinfo'],
  prepare(cmd) {
    return {
      name: 'addinfo',
      span: cmd.spanOfCommand,
      kind: 'streaming',
      stage(next, rt) {
        const info = {
          info_min_time: rt.timeRange.earliest ?? 0,
          info_max_time: rt.timeRange.latest ?? '+Infinity',
          info_search_time: rt.now,
          info_sid: 'dac-offline',
        };
        return {
          push(row) {
            Object.assign(row, info);
            next.push(row);
          },
          end: () => next.end(),
        };
      },
    };
  },
};
