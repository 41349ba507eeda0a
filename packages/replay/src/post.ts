import { evaluateSearch, type Argument, type Command } from '@dac/spl';
import { formatNumber, type Row } from './tstats.js';

/**
 * The commands after `| tstats` that the replay evaluates over result rows. ESCU's tstats
 * detections are mostly tstats + this tail (escu-corpus.md §10): `drop_dm_object_name` →
 * `rename`, `security_content_ctime` → `convert ctime()`, the filter macro → `search *`.
 * Any other command makes the search "not replayable" with a message naming it.
 */
export const REPLAYABLE_COMMANDS = ['rename', 'convert', 'search', 'table', 'fields', 'fillnull'] as const;

export type RowOp = (rows: Row[]) => Row[];

function words(args: Argument[]): { value: string; quoted: boolean }[] {
  const out: { value: string; quoted: boolean }[] = [];
  for (const a of args) if (a.kind === 'word') out.push({ value: a.value.value, quoted: a.value.quoted });
  return out;
}

/** Splits `a, b c` word lists on commas too (the parser keeps `a,` as one word). */
function fieldList(ws: { value: string; quoted: boolean }[]): string[] {
  const out: string[] = [];
  for (const w of ws) {
    if (w.quoted) out.push(w.value);
    else for (const p of w.value.split(',')) if (p.trim() !== '') out.push(p.trim());
  }
  return out;
}

function wildcardRe(p: string): RegExp {
  return new RegExp(
    `^${p
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('(.*)')}$`,
  );
}

function matchesAny(name: string, patterns: RegExp[]): boolean {
  return patterns.some((re) => re.test(name));
}

// ---------------------------------------------------------------------------------------------
// strftime in UTC (Splunk's convert ctime() renders in the search's time zone; the replay fixes
// UTC so output is reproducible — splunk-semantics.md §2).

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** Splunk/strftime time formatting of epoch seconds in UTC (`%Y-%m-%dT%H:%M:%S`, `%3N`, `%b`, …). */
export function strftimeUtc(epochSeconds: number, format: string): string {
  const d = new Date(Math.floor(epochSeconds * 1000));
  const frac = epochSeconds - Math.floor(epochSeconds);
  const Y = d.getUTCFullYear(),
    m = d.getUTCMonth(),
    D = d.getUTCDate(),
    H = d.getUTCHours(),
    M = d.getUTCMinutes(),
    S = d.getUTCSeconds(),
    w = d.getUTCDay();
  const yday = Math.floor((Date.UTC(Y, m, D) - Date.UTC(Y, 0, 1)) / 86400000) + 1;
  return format.replace(/%(\d?)([a-zA-Z%])/g, (all, digits: string, c: string) => {
    switch (c) {
      case 'Y':
        return String(Y);
      case 'y':
        return p2(Y % 100);
      case 'm':
        return p2(m + 1);
      case 'd':
        return p2(D);
      case 'e':
        return String(D).padStart(2, ' ');
      case 'H':
        return p2(H);
      case 'I':
        return p2(H % 12 === 0 ? 12 : H % 12);
      case 'p':
        return H < 12 ? 'AM' : 'PM';
      case 'M':
        return p2(M);
      case 'S':
        return p2(S);
      case 'j':
        return String(yday).padStart(3, '0');
      case 'b':
        return MONTHS[m]!.slice(0, 3);
      case 'B':
        return MONTHS[m]!;
      case 'a':
        return DAYS[w]!.slice(0, 3);
      case 'A':
        return DAYS[w]!;
      case 'F':
        return `${Y}-${p2(m + 1)}-${p2(D)}`;
      case 'T':
        return `${p2(H)}:${p2(M)}:${p2(S)}`;
      case 'Z':
        return 'UTC';
      case 'z':
        return '+0000';
      case 's':
        return String(Math.floor(epochSeconds));
      case 'N': {
        const n = digits ? Number(digits) : 9;
        return frac.toFixed(9).slice(2, 2 + n);
      }
      case 'Q': {
        const n = digits ? Number(digits) : 3;
        return frac.toFixed(9).slice(2, 2 + n);
      }
      case '%':
        return '%';
      default:
        return all;
    }
  });
}

// ---------------------------------------------------------------------------------------------

function compileRename(args: Argument[]): RowOp | string {
  const ws = fieldList(words(args));
  const pairs: { re: RegExp; to: string; literal?: string }[] = [];
  for (let i = 0; i < ws.length; i += 3) {
    const from = ws[i],
      as = ws[i + 1],
      to = ws[i + 2];
    if (from === undefined || as?.toLowerCase() !== 'as' || to === undefined)
      return 'rename: expected "<field> as <newname>" pairs';
    pairs.push(from.includes('*') ? { re: wildcardRe(from), to } : { re: /$^/, to, literal: from });
  }
  return (rows) =>
    rows.map((row) => {
      let r = row;
      for (const p of pairs) {
        const out: Row = {};
        for (const [k, v] of Object.entries(r)) {
          if (p.literal !== undefined) {
            if (k === p.literal) out[p.to] = v;
            else if (k !== p.to || !(p.literal in r)) out[k] = v;
            continue;
          }
          const m = p.re.exec(k);
          if (!m) {
            out[k] = v;
            continue;
          }
          let n = 1;
          out[p.to.replace(/\*/g, () => m[n++] ?? '')] = v;
        }
        r = out;
      }
      return r;
    });
}

function compileConvert(args: Argument[]): RowOp | string {
  let timeformat = '%m/%d/%Y %H:%M:%S'; // convert's documented default
  const conversions: { fn: string; fields: RegExp[]; as?: string }[] = [];
  const ws: { value: string; quoted: boolean }[] = [];
  for (const a of args) {
    if (a.kind === 'option') {
      if (a.key.toLowerCase() === 'timeformat') timeformat = a.value.value;
      else return `convert: option ${a.key}= is not replayable`;
    } else if (a.kind === 'word') ws.push({ value: a.value.value, quoted: a.value.quoted });
    else return 'convert: subsearch argument is not replayable';
  }
  for (let i = 0; i < ws.length; i++) {
    const m = /^(\w+)\((.*)\)$/.exec(ws[i]!.value);
    if (!m) return `convert: cannot read "${ws[i]!.value}"`;
    const fn = m[1]!.toLowerCase();
    if (fn !== 'ctime') return `convert ${fn}() is not replayable (supported: ctime)`;
    const c: { fn: string; fields: RegExp[]; as?: string } = { fn, fields: [wildcardRe(m[2]!.trim())] };
    if (ws[i + 1]?.value.toLowerCase() === 'as' && ws[i + 2]) {
      c.as = ws[i + 2]!.value;
      i += 2;
    }
    conversions.push(c);
  }
  const conv = (v: string | string[]): string | string[] => {
    const one = (s: string) => (/^[+-]?\d+(\.\d+)?$/.test(s) ? strftimeUtc(Number(s), timeformat) : s);
    return Array.isArray(v) ? v.map(one) : one(v);
  };
  return (rows) =>
    rows.map((row) => {
      const out: Row = { ...row };
      for (const c of conversions) {
        for (const [k, v] of Object.entries(row)) {
          if (!matchesAny(k, c.fields)) continue;
          out[c.as ?? k] = conv(v);
        }
      }
      return out;
    });
}

function compileTableOrFields(name: 'table' | 'fields', args: Argument[]): RowOp | string {
  let ws = fieldList(words(args));
  let remove = false;
  if (name === 'fields' && (ws[0] === '-' || ws[0] === '+')) {
    remove = ws[0] === '-';
    ws = ws.slice(1);
  } else if (name === 'fields' && ws[0]?.startsWith('-')) {
    remove = true;
    ws = [ws[0].slice(1), ...ws.slice(1)].filter((w) => w !== '');
  }
  const pats = ws.map(wildcardRe);
  if (remove)
    return (rows) => rows.map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => !matchesAny(k, pats))));
  return (rows) =>
    rows.map((row) => {
      const out: Row = {};
      for (const re of pats) for (const [k, v] of Object.entries(row)) if (!(k in out) && re.test(k)) out[k] = v;
      return out;
    });
}

function compileFillnull(args: Argument[]): RowOp | string {
  let value = '0';
  for (const a of args) if (a.kind === 'option' && a.key.toLowerCase() === 'value') value = a.value.value;
  const fields = fieldList(words(args));
  return (rows) => {
    const all = fields.length ? fields : [...new Set(rows.flatMap((r) => Object.keys(r)))];
    return rows.map((row) => {
      const out: Row = { ...row };
      for (const f of all) if (out[f] === undefined || out[f] === '') out[f] = value;
      return out;
    });
  };
}

/** Compiles one post-tstats command into a row operation, or says why it is not replayable. */
export function compilePostCommand(cmd: Command): RowOp | string {
  if (cmd.kind === 'tstats') return 'a second tstats is not replayable';
  if (cmd.kind === 'search') {
    const expr = cmd.expr;
    if (!expr) return (rows) => rows;
    return (rows) => rows.filter((r) => evaluateSearch(expr, r));
  }
  switch (cmd.name.toLowerCase()) {
    case 'rename':
      return compileRename(cmd.args);
    case 'convert':
      return compileConvert(cmd.args);
    case 'table':
      return compileTableOrFields('table', cmd.args);
    case 'fields':
      return compileTableOrFields('fields', cmd.args);
    case 'fillnull':
      return compileFillnull(cmd.args);
    default:
      return `command "${cmd.name}" is not replayable (replayable after tstats: ${REPLAYABLE_COMMANDS.join(', ')})`;
  }
}

/** Compiles the whole tail; the first unsupported command ends it with a message. */
export function compilePostPipeline(cmds: Command[]): { run: RowOp } | { error: string } {
  const ops: RowOp[] = [];
  for (const c of cmds) {
    const op = compilePostCommand(c);
    if (typeof op === 'string') return { error: op };
    ops.push(op);
  }
  return { run: (rows) => ops.reduce((r, op) => op(r), rows) };
}

export { formatNumber };
