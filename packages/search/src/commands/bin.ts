/**
 * `bin` / `bucket [span=<span>] [start=<n>] [end=<n>] <field> [as <newfield>]` — puts each value
 * into a bucket. Facts (Search Reference, bin): on `_time` (or any time field) the value becomes
 * the epoch start of its span; on another numeric field the value becomes the range text
 * `low-high` ("10-20"); a value that is not a number is left as it is. `bins=`/`minspan=`
 * without `span=` depend on the whole result set and are reported as not replayable.
 */
import type { GenericCommand } from '@dac/spl';
import { fieldNames, optionsOf, wordsOf } from '../args.js';
import type { CommandModule } from '../command.js';
import { bucketStart, parseTimeSpan } from '../time-span.js';
import { formatNumber, toNumber } from '../values.js';

export const bin: CommandModule<GenericCommand> = {
  names: ['bin', 'bucket', 'discretize'],
  prepare(cmd, ctx) {
    const o = optionsOf(cmd.args);
    for (const [k, v] of o)
      if (!['span', 'aligntime'].includes(k))
        return ctx.error(v.span, `not replayable: ${cmd.name} ${k}= is not implemented (use span=)`, 'not-replayable');
    const span = o.get('span');
    if (!span)
      return ctx.error(
        cmd.spanOfCommand,
        `not replayable: ${cmd.name} without span= depends on the whole result set`,
        'not-replayable',
      );
    const align = o.get('aligntime');
    if (align && align.value !== 'earliest' && align.value !== 'latest' && toNumber(align.value) === undefined)
      return ctx.error(align.span, `${cmd.name}: aligntime= needs earliest, latest or an epoch time`);
    const ws = fieldNames(wordsOf(cmd.args));
    const field = ws[0];
    if (!field) return ctx.error(cmd.spanOfCommand, `${cmd.name} needs a field`);
    let as = field.value;
    if (ws.length === 3 && /^as$/i.test(ws[1]!.value)) as = ws[2]!.value;
    else if (ws.length !== 1) return ctx.error(ws[1]!.span, `${cmd.name}: expected "<field> [as <newfield>]"`);
    const isTime = field.value === '_time';
    const timeSpan = parseTimeSpan(span.value);
    const numericSpan = toNumber(span.value);
    if (isTime ? !timeSpan : numericSpan === undefined || numericSpan <= 0)
      return ctx.error(
        span.span,
        `${cmd.name}: span=${span.value} is not a ${isTime ? 'time span' : 'positive number'}`,
      );
    const alignOffset = align && toNumber(align.value) !== undefined ? toNumber(align.value)! : 0;
    return {
      name: 'bin',
      span: cmd.spanOfCommand,
      kind: 'streaming',
      stage(next) {
        return {
          push(row) {
            const v = row[field.value];
            if (v !== undefined && !Array.isArray(v)) {
              const n = toNumber(v);
              if (n !== undefined) {
                if (isTime) row[as] = bucketStart(n - alignOffset, timeSpan!) + alignOffset;
                else {
                  const lo = Math.floor(n / numericSpan!) * numericSpan!;
                  row[as] = `${formatNumber(lo)}-${formatNumber(lo + numericSpan!)}`;
                }
              } else if (as !== field.value) row[as] = v;
            }
            next.push(row);
          },
          end: () => next.end(),
        };
      },
    };
  },
};
