/**
 * `sort [<count> | limit=<int>] [+|-]<field> | [+|-](auto|str|num|ip)(<field>) … [desc]` —
 * Facts (Search Reference, sort): "the default limit is 10000; sort 0 returns all results";
 * `-` descending, `+` (default) ascending; `desc`/`d` at the end reverses the whole order;
 * "results missing a given field are treated as having the smallest or largest possible value
 * of that field if the order is descending or ascending", i.e. they come last either way;
 * auto ordering: numbers numerically, before strings; strings lexicographically (code point
 * order: uppercase before lowercase); `str()` forces lexicographic, `num()` numeric (non-numbers
 * last), `ip()` dotted-quad order. The sort is stable.
 */
import type { GenericCommand } from '@dac/spl';
import { fieldNames, optionsOf, parseCount, type Word, wordsOf } from '../args.js';
import type { CommandModule, PrepareContext } from '../command.js';
import type { Row, Scalar } from '../types.js';
import { compareAuto, compareLex, text, toNumber, valuesOf } from '../values.js';

/** sort's default result limit. */
export const SORT_DEFAULT_LIMIT = 10_000;

export interface SortKey {
  field: string;
  descending: boolean;
  type: 'auto' | 'str' | 'num' | 'ip';
}

export interface SortSpec {
  keys: SortKey[];
  reverse: boolean;
}

/** Parses a sort-by clause (also used by dedup sortby). */
export function parseSortClause(ws: readonly Word[], ctx: PrepareContext): SortSpec | undefined {
  const keys: SortKey[] = [];
  let reverse = false;
  let pendingSign: '+' | '-' | undefined;
  for (let i = 0; i < ws.length; i++) {
    let v = ws[i]!.value;
    if (!ws[i]!.quoted && (v === '-' || v === '+')) {
      pendingSign = v;
      continue;
    }
    if (!ws[i]!.quoted && i === ws.length - 1 && /^(d|desc)$/i.test(v) && keys.length > 0) {
      reverse = true;
      continue;
    }
    let descending = pendingSign === '-';
    pendingSign = undefined;
    if (!ws[i]!.quoted && (v.startsWith('-') || v.startsWith('+'))) {
      descending = v[0] === '-';
      v = v.slice(1);
    }
    let type: SortKey['type'] = 'auto';
    const m = /^(auto|str|num|ip)\((.+)\)$/i.exec(v);
    if (m) {
      type = m[1]!.toLowerCase() as SortKey['type'];
      v = m[2]!.trim();
    }
    if (v === '') return ctx.error(ws[i]!.span, 'sort: expected a field name');
    keys.push({ field: v, descending, type });
  }
  if (keys.length === 0) return ctx.error(ws[0]?.span ?? { start: 0, end: 0 }, 'sort needs at least one field');
  return { keys, reverse };
}

function ipKey(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim());
  if (!m) return undefined;
  return ((Number(m[1]) * 256 + Number(m[2])) * 256 + Number(m[3])) * 256 + Number(m[4]);
}

function compareBy(type: SortKey['type'], a: Scalar, b: Scalar): number {
  switch (type) {
    case 'str':
      return compareLex(a, b);
    case 'num': {
      const x = toNumber(a);
      const y = toNumber(b);
      if (x !== undefined && y !== undefined) return x - y;
      if (x !== undefined) return -1;
      if (y !== undefined) return 1;
      return compareLex(a, b);
    }
    case 'ip': {
      const x = ipKey(text(a));
      const y = ipKey(text(b));
      if (x !== undefined && y !== undefined) return x - y;
      if (x !== undefined) return -1;
      if (y !== undefined) return 1;
      return compareLex(a, b);
    }
    default:
      return compareAuto(a, b);
  }
}

/** Sorts rows (stably) and keeps the first `limit` (0 = all). */
export function sortRows(rows: Row[], spec: SortSpec, limit: number): Row[] {
  const keyed = rows.map((r, i) => ({ r, i, k: spec.keys.map((k) => valuesOf(r[k.field])[0]) }));
  keyed.sort((x, y) => {
    for (let j = 0; j < spec.keys.length; j++) {
      const key = spec.keys[j]!;
      const a = x.k[j];
      const b = y.k[j];
      let c: number;
      if (a === undefined || b === undefined) {
        // Missing values come last in both directions.
        c = a === undefined && b === undefined ? 0 : a === undefined ? 1 : -1;
      } else {
        c = compareBy(key.type, a, b);
        if (key.descending) c = -c;
      }
      if (spec.reverse) c = -c;
      if (c !== 0) return c;
    }
    return x.i - y.i;
  });
  const out = keyed.map((x) => x.r);
  return limit > 0 ? out.slice(0, limit) : out;
}

export const sort: CommandModule<GenericCommand> = {
  names: ['sort'],
  prepare(cmd, ctx) {
    const o = optionsOf(cmd.args);
    for (const [k, v] of o) if (k !== 'limit') return ctx.error(v.span, `sort: unknown option ${k}=`);
    let ws = fieldNames(wordsOf(cmd.args));
    let limit = SORT_DEFAULT_LIMIT;
    if (o.get('limit')) {
      const n = parseCount(o.get('limit')!.value);
      if (n === undefined) return ctx.error(o.get('limit')!.span, 'sort: limit= needs an integer');
      limit = n;
    } else if (ws[0] && parseCount(ws[0].value) !== undefined) {
      limit = parseCount(ws[0].value)!;
      ws = ws.slice(1);
    }
    const spec = parseSortClause(ws, ctx);
    if (!spec) return undefined;
    return {
      name: 'sort',
      span: cmd.spanOfCommand,
      rows: 'readonly',
      kind: 'blocking',
      stage(next) {
        const held: Row[] = [];
        return {
          push: (row) => held.push(row),
          end() {
            for (const r of sortRows(held, spec, limit)) next.push(r);
            next.end();
          },
        };
      },
    };
  },
};
