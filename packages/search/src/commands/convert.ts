/**
 * `convert [timeformat=<fmt>] <fn>(<field>) [as <new>]…` — Facts (Search Reference, convert):
 * `ctime` renders epoch seconds with `timeformat` (default `%m/%d/%Y %H:%M:%S`), `mktime` parses
 * it back; `dur2sec` turns `[D+]HH:MM:SS` into seconds, `sec2dur` the reverse; `num` and `auto`
 * keep values that are numbers (auto also strips a leading number's unit: memk-like forms are
 * not guessed); `rmcomma` removes commas; `rmunit` keeps a leading number; `memk` turns
 * `10m`/`2g` into kilobytes; `mstime` turns `MM:SS.SSS` into seconds; `none` leaves the field.
 * A value that cannot be converted is left as it is. Wildcards in field names are allowed.
 * Times are UTC (see @dac/spl strftime).
 */
import { type GenericCommand, strftime, strptime } from '@dac/spl';
import { optionsOf, wordsOf } from '../args.js';
import type { CommandModule } from '../command.js';
import type { Row, Scalar } from '../types.js';
import { fieldPattern, text, toNumber } from '../values.js';

export const CONVERT_DEFAULT_TIMEFORMAT = '%m/%d/%Y %H:%M:%S';

type Conv = (s: Scalar, timeformat: string) => Scalar | undefined;

const CONVERSIONS: Record<string, Conv> = {
  ctime: (s, f) => {
    const n = toNumber(s);
    return n === undefined ? undefined : strftime(n, f);
  },
  mktime: (s, f) => strptime(text(s), f),
  dur2sec: (s) => {
    const m = /^(?:(\d+)\+)?(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(text(s).trim());
    if (!m) return toNumber(s);
    return Number(m[1] ?? 0) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
  },
  sec2dur: (s) => {
    const n = toNumber(s);
    if (n === undefined) return undefined;
    const t = Math.trunc(n);
    const d = Math.floor(t / 86400);
    const hms = [Math.floor((t % 86400) / 3600), Math.floor((t % 3600) / 60), t % 60]
      .map((x) => String(x).padStart(2, '0'))
      .join(':');
    return d > 0 ? `${d}+${hms}` : hms;
  },
  mstime: (s) => {
    const m = /^(?:(\d+):)?(\d+(?:\.\d+)?)$/.exec(text(s).trim());
    return m ? Number(m[1] ?? 0) * 60 + Number(m[2]) : undefined;
  },
  num: (s) => toNumber(s),
  auto: (s) => toNumber(s),
  rmcomma: (s) => text(s).replace(/,/g, ''),
  rmunit: (s) => {
    const m = /^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/.exec(text(s));
    return m ? Number(m[1]) : undefined;
  },
  memk: (s) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)b?\s*$/i.exec(text(s));
    if (!m) return undefined;
    const k = { '': 1, k: 1, m: 1024, g: 1024 * 1024 }[m[2]!.toLowerCase()]!;
    return Number(m[1]) * k;
  },
  none: (s) => s,
};

interface Conversion {
  fn: Conv;
  field: ReturnType<typeof fieldPattern>;
  as?: string;
  timeformat: string;
}

/** One conversion of field `k` (each value of a multivalue field); a value it cannot convert stays. */
function convertField(row: Row, c: Conversion, k: string): void {
  const v = row[k];
  if (v === undefined) return;
  if (!Array.isArray(v)) {
    row[c.as ?? k] = c.fn(v, c.timeformat) ?? v;
    return;
  }
  const out: Scalar[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = c.fn(v[i]!, c.timeformat) ?? v[i]!;
  row[c.as ?? k] = out;
}

export const convert: CommandModule<GenericCommand> = {
  names: ['convert'],
  prepare(cmd, ctx) {
    const o = optionsOf(cmd.args);
    for (const [k, v] of o) if (k !== 'timeformat') return ctx.error(v.span, `convert: unknown option ${k}=`);
    const timeformat = o.get('timeformat')?.value ?? CONVERT_DEFAULT_TIMEFORMAT;
    const ws = wordsOf(cmd.args);
    const convs: Conversion[] = [];
    for (let i = 0; i < ws.length; i++) {
      const m = /^(\w+)\((.*)\)$/.exec(ws[i]!.value);
      if (!m) return ctx.error(ws[i]!.span, `convert: expected <function>(<field>), found "${ws[i]!.value}"`);
      const fn = CONVERSIONS[m[1]!.toLowerCase()];
      if (!fn)
        return ctx.error(
          ws[i]!.span,
          `not replayable: convert ${m[1]}() is not implemented (implemented: ${Object.keys(CONVERSIONS).join(', ')})`,
          'not-replayable',
        );
      const c: Conversion = { fn, field: fieldPattern(m[2]!.trim().replace(/^"|"$/g, '') || '*'), timeformat };
      if (ws[i + 1] && /^as$/i.test(ws[i + 1]!.value)) {
        if (!ws[i + 2]) return ctx.error(ws[i + 1]!.span, 'convert: "as" needs a name');
        c.as = ws[i + 2]!.value;
        i += 2;
      }
      convs.push(c);
    }
    if (convs.length === 0) return ctx.error(cmd.spanOfCommand, 'convert needs at least one conversion');
    return {
      name: 'convert',
      span: cmd.spanOfCommand,
      kind: 'streaming',
      quiet: true,
      stage(next) {
        return {
          push(row) {
            for (const c of convs) {
              if (!c.field.wildcard) convertField(row, c, c.field.text);
              // The field names as the row has them before this conversion adds any (`as`).
              else for (const k of Object.keys(row)) if (c.field.test(k)) convertField(row, c, k);
            }
            next.push(row);
          },
          end: () => next.end(),
        };
      },
    };
  },
};
