/**
 * `fillnull [value=<string>] [<field>…]` — Facts (Search Reference, fillnull): replaces null
 * values with `value` (default "0"); with a field list it fills those fields (streaming); without
 * one it fills every field that appears in any result, so it holds the results until the end
 * (as Splunk's does). An empty string is a value, not null.
 */
import type { GenericCommand } from '@dac/spl';
import { fieldNames, optionsOf, wordsOf } from '../args.js';
import type { CommandModule } from '../command.js';
import type { Row } from '../types.js';

export const FILLNULL_DEFAULT = '0';

export const fillnull: CommandModule<GenericCommand> = {
  names: ['fillnull'],
  prepare(cmd, ctx) {
    const o = optionsOf(cmd.args);
    for (const [k, v] of o) if (k !== 'value') return ctx.error(v.span, `fillnull: unknown option ${k}=`);
    const value = o.get('value')?.value ?? FILLNULL_DEFAULT;
    const list = fieldNames(wordsOf(cmd.args)).map((w) => w.value);
    return {
      name: 'fillnull',
      span: cmd.spanOfCommand,
      kind: list.length > 0 ? 'streaming' : 'blocking',
      quiet: true,
      stage(next) {
        if (list.length > 0)
          return {
            push(row) {
              for (const f of list) if (row[f] === undefined) row[f] = value;
              next.push(row);
            },
            end: () => next.end(),
          };
        const held: Row[] = [];
        const all = new Set<string>();
        return {
          push(row) {
            for (const k in row) if (row[k] !== undefined) all.add(k);
            held.push(row);
          },
          end() {
            for (const row of held) {
              for (const f of all) if (row[f] === undefined) row[f] = value;
              next.push(row);
            }
            next.end();
          },
        };
      },
    };
  },
};
