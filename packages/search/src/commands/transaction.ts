/**
 * `transaction [<field>…] [maxspan=<span>] [maxpause=<span>] [maxevents=<int>]
 * [startswith=<filter>] [endswith=<filter>] [connected=<bool>] [keepevicted=<bool>] [mvlist=<bool>]`
 * — groups events into transactions. Facts (Search Reference, transaction):
 * - events with the same values of the fields form a transaction; an event lacking some of the
 *   fields joins the open transaction it agrees with on the fields it has (connected=false lets
 *   it; the default connected=true also needs a shared field);
 * - maxspan (default: none) limits first-to-last time, maxpause the gap between events,
 *   maxevents (default 1000) the number of events;
 * - startswith opens a new transaction; endswith closes one (a transaction that never meets its
 *   endswith, or events before any startswith, are evicted: dropped unless keepevicted=true);
 * - a filter is a search expression in parentheses or quotes (`startswith=(EventCode=4698)`,
 *   `startswith="login"`) or `eval(<expr>)`;
 * - output: one result per transaction with every field's values merged (distinct values;
 *   mvlist=true keeps every value in order), `_time` of the first event, `duration` (last −
 *   first), `eventcount`, `_raw` joined by newlines, `closed_txn`; newest transaction first.
 * The command holds all events until the end (Splunk's does too, within its memory limits).
 */
import { evaluateWhere, type GenericCommand, type Literal } from '@dac/spl';
import { fieldNames, optionsOf, parseBool, parseCount, parseSearchAt, parseWhereAt, wordsOf } from '../args.js';
import type { CommandModule, PrepareContext } from '../command.js';
import { compileSearch, type Predicate } from '../search-expr.js';
import { parseTimeSpan, spanSeconds } from '../time-span.js';
import type { Row, Scalar } from '../types.js';
import { compareLex, normaliseList, text, toNumber, valuesOf } from '../values.js';
import { checkEvalExpr } from './eval.js';

export const TRANSACTION_MAXEVENTS = 1000;

type Filter = (row: Row, now: number) => boolean;

function parseFilter(v: Literal, ctx: PrepareContext, what: string): Filter | undefined {
  const raw = v.value;
  const at = v.quoted ? v.span.start + 1 : v.span.start;
  const ev = /^eval\(([\s\S]*)\)$/i.exec(raw);
  if (ev) {
    const p = parseWhereAt(ev[1]!, at + 5);
    if (!p.ok) return ctx.error(p.span, `transaction ${what}: ${p.message}`);
    if (!checkEvalExpr(p.value, ctx)) return undefined;
    const e = p.value;
    return (row, now) => {
      const r = evaluateWhere(e, row, { now });
      return r.ok && r.keep;
    };
  }
  const inner = !v.quoted && raw.startsWith('(') && raw.endsWith(')') ? raw.slice(1, -1) : raw;
  const p = parseSearchAt(inner, inner === raw ? at : at + 1);
  if (!p.ok) return ctx.error(p.span, `transaction ${what}: ${p.message}`);
  const pred: Predicate = compileSearch(p.value);
  return (row) => pred(row);
}

interface Txn {
  rows: Row[];
  known: Map<string, string>;
  first: number;
  last: number;
  closed: boolean;
  started: boolean;
}

export const transaction: CommandModule<GenericCommand> = {
  names: ['transaction'],
  prepare(cmd, ctx) {
    const o = optionsOf(cmd.args);
    const known = [
      'maxspan',
      'maxpause',
      'maxevents',
      'startswith',
      'endswith',
      'connected',
      'keepevicted',
      'mvlist',
      'unifyends',
      'keeporphans',
      'delim',
      'mvraw',
      'nullstr',
      'maxopentxn',
      'maxopenevents',
      'fields',
    ];
    for (const [k, v] of o) if (!known.includes(k)) return ctx.error(v.span, `transaction: unknown option ${k}=`);
    const span = (k: string): number | undefined | null => {
      const v = o.get(k);
      if (!v) return undefined;
      if (v.value === '-1') return undefined;
      const s = parseTimeSpan(v.value);
      if (!s) {
        ctx.error(v.span, `transaction: ${k}=${v.value} is not a time span`);
        return null;
      }
      return spanSeconds(s);
    };
    const maxspan = span('maxspan');
    const maxpause = span('maxpause');
    if (maxspan === null || maxpause === null) return undefined;
    const maxevents = o.get('maxevents') ? parseCount(o.get('maxevents')!.value) : TRANSACTION_MAXEVENTS;
    if (maxevents === undefined) return ctx.error(o.get('maxevents')!.span, 'transaction: maxevents= needs an integer');
    const bool = (k: string, d: boolean) => (o.get(k) ? (parseBool(o.get(k)!.value) ?? d) : d);
    const connected = bool('connected', true);
    const keepEvicted = bool('keepevicted', false);
    const mvlist = bool('mvlist', false);
    const starts = o.get('startswith') ? parseFilter(o.get('startswith')!.literal, ctx, 'startswith') : undefined;
    const ends = o.get('endswith') ? parseFilter(o.get('endswith')!.literal, ctx, 'endswith') : undefined;
    if ((o.get('startswith') && !starts) || (o.get('endswith') && !ends)) return undefined;
    const fieldList = o.get('fields')
      ? o
          .get('fields')!
          .value.split(',')
          .map((f) => f.trim())
          .filter(Boolean)
      : fieldNames(wordsOf(cmd.args)).map((w) => w.value);
    return {
      name: 'transaction',
      span: cmd.spanOfCommand,
      rows: 'fresh',
      kind: 'blocking',
      stage(next, rt) {
        const held: Row[] = [];
        return {
          push: (row) => held.push(row),
          end() {
            const rows = held
              .map((r, i) => ({ r, i, t: toNumber(valuesOf(r._time)[0]) ?? 0 }))
              .sort((a, b) => a.t - b.t || a.i - b.i);
            const open: Txn[] = [];
            const done: Txn[] = [];
            const close = (t: Txn, closed: boolean) => {
              t.closed = closed;
              const k = open.indexOf(t);
              if (k >= 0) open.splice(k, 1);
              done.push(t);
            };
            for (const { r, t } of rows) {
              const vals = new Map<string, string>();
              for (const f of fieldList) {
                const vs = valuesOf(r[f]);
                if (vs.length > 0) vals.set(f, text(vs[0]!));
              }
              if (fieldList.length > 0 && vals.size === 0) continue; // in no transaction
              const agrees = (x: Txn): boolean => {
                let shared = 0;
                for (const [f, v] of vals) {
                  const kv = x.known.get(f);
                  if (kv === undefined) continue;
                  if (kv !== v) return false;
                  shared++;
                }
                return shared > 0 || fieldList.length === 0 || (!connected && vals.size > 0) || x.known.size === 0;
              };
              // Expire transactions that this event's time closes.
              for (const x of [...open]) {
                if (
                  (maxpause !== undefined && t - x.last > maxpause) ||
                  (maxspan !== undefined && t - x.first > maxspan)
                )
                  close(x, !ends);
              }
              const isStart = starts ? starts(r, rt.now) : false;
              let txn = isStart ? undefined : [...open].reverse().find(agrees);
              if (isStart) for (const x of open.filter(agrees)) close(x, !ends);
              if (!txn) {
                txn = { rows: [], known: new Map(), first: t, last: t, closed: false, started: isStart || !starts };
                open.push(txn);
              }
              txn.rows.push(r);
              txn.last = t;
              for (const [f, v] of vals) if (!txn.known.has(f)) txn.known.set(f, v);
              if (ends?.(r, rt.now) || txn.rows.length >= maxevents) close(txn, true);
            }
            for (const x of [...open]) close(x, !ends);
            const out: Row[] = [];
            for (const x of done) {
              const evicted = !x.started || (ends !== undefined && !x.closed);
              if (evicted && !keepEvicted) continue;
              out.push(merge(x, mvlist));
            }
            out.sort((a, b) => (toNumber(b._time as Scalar) ?? 0) - (toNumber(a._time as Scalar) ?? 0));
            for (const r of out) next.push(r);
            next.end();
          },
        };
      },
    };
  },
};

function merge(x: Txn, mvlist: boolean): Row {
  const fields = new Map<string, Scalar[]>();
  const raws: string[] = [];
  for (const r of x.rows) {
    for (const k in r) {
      if (k === '_raw' || k === '_time') continue;
      let l = fields.get(k);
      if (!l) fields.set(k, (l = []));
      for (const v of valuesOf(r[k])) l.push(v);
    }
    const raw = valuesOf(r._raw)[0];
    if (raw !== undefined) raws.push(text(raw));
  }
  const out: Row = {};
  for (const [k, l] of fields) {
    const vs = mvlist ? l : [...new Map(l.map((v) => [text(v), v] as const)).values()].sort(compareLex);
    const v = normaliseList(vs);
    if (v !== undefined) out[k] = v;
  }
  out._time = x.first;
  if (raws.length) out._raw = raws.join('\n');
  out.duration = x.last - x.first;
  out.eventcount = x.rows.length;
  out.closed_txn = x.closed ? 1 : 0;
  out.linecount = raws.reduce((n, r) => n + r.split('\n').length, 0);
  return out;
}
