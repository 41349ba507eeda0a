/** Questions about a parsed pipeline: its leading tstats, and the fields it outputs. */
import type { Argument, Command, GenericCommand, Pipeline, TstatsCommand } from './ast.js';

/** The leading `| tstats …` command, if the search starts with one. */
export function findTstats(pipeline: Pipeline): TstatsCommand | undefined {
  const first = pipeline.commands[0];
  return first && first.kind === 'tstats' ? first : undefined;
}

/** Output column of a tstats aggregate: `as` name, else `fn(field)`, else `fn`. */
export function aggregateOutputName(a: { fn: string; field?: string; as?: string }): string {
  return a.as ?? (a.field !== undefined ? `${a.fn}(${a.field})` : a.fn);
}

interface FieldState {
  fields: Set<string>;
  complete: boolean;
}

/**
 * Best-effort set of fields the search outputs after its whole pipeline. `complete` is false when
 * the set is not knowable (raw events, lookups without OUTPUT, spath without output=, unknown
 * commands, …); the set then holds the fields known to be present.
 */
export function outputFields(pipeline: Pipeline): { fields: Set<string>; complete: boolean } {
  const st: FieldState = { fields: new Set(), complete: false };
  pipeline.commands.forEach((c, i) => applyCommand(st, c, i === 0));
  return st;
}

function words(args: Argument[]): string[] {
  return args.filter((a) => a.kind === 'word').map((a) => (a.kind === 'word' ? a.value.value : ''));
}

function wildcardToRegExp(p: string): RegExp {
  return new RegExp(
    `^${p
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('(.*)')}$`,
  );
}

function rename(st: FieldState, from: string, to: string): void {
  if (!from.includes('*')) {
    if (st.fields.delete(from) || !st.complete) st.fields.add(to);
    return;
  }
  const re = wildcardToRegExp(from);
  for (const f of [...st.fields]) {
    const m = re.exec(f);
    if (!m) continue;
    let k = 1;
    const renamed = to.replace(/\*/g, () => m[k++] ?? '');
    st.fields.delete(f);
    st.fields.add(renamed);
  }
}

/** `fn(x) as y` / `count` / `by a b` argument lists of stats-like commands. */
function statsOutputs(args: Argument[]): { outputs: string[]; by: string[] } {
  const outputs: string[] = [];
  const by: string[] = [];
  let inBy = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.kind !== 'word') continue;
    const w = a.value.value;
    if (w.toLowerCase() === 'by' && !a.value.quoted) {
      inBy = true;
      continue;
    }
    if (inBy) {
      by.push(w);
      continue;
    }
    const next = args[i + 1];
    if (next && next.kind === 'word' && next.value.value.toLowerCase() === 'as' && args[i + 2]?.kind === 'word') {
      const alias = args[i + 2];
      outputs.push(alias.kind === 'word' ? alias.value.value : w);
      i += 2;
      continue;
    }
    outputs.push(w);
  }
  return { outputs, by };
}

const PASS_THROUGH = new Set([
  'search',
  'where',
  'dedup',
  'sort',
  'head',
  'tail',
  'regex',
  'bin',
  'bucket',
  'mvexpand',
  'makemv',
  'reverse',
  'uniq',
  'nomv',
  'mvcombine',
  'outputlookup',
  'collect',
  'sendalert',
  'abstract',
  'highlight',
  'typer',
  'fieldformat',
  'replace',
  'filldown',
  'accum',
  'delta',
  'autoregress',
]);

function applyCommand(st: FieldState, c: Command, first: boolean): void {
  if (c.kind === 'tstats') {
    const prestats = /^(t|true|1)$/i.test(c.options.prestats?.value ?? '');
    const fields = new Set<string>(c.by.map((b) => b.field));
    for (const a of c.aggregates) fields.add(aggregateOutputName(a));
    if (c.options.append && /^(t|true|1)$/i.test(c.options.append.value)) {
      for (const f of fields) st.fields.add(f);
      st.complete = st.complete && !prestats;
    } else {
      st.fields = fields;
      st.complete = !prestats;
    }
    return;
  }
  if (c.kind === 'search') {
    if (first) {
      st.fields = new Set();
      st.complete = false;
    }
    return;
  }
  applyGeneric(st, c, first);
}

function applyGeneric(st: FieldState, c: GenericCommand, first: boolean): void {
  const args = c.args;
  switch (c.name) {
    case 'rename': {
      const ws = words(args);
      for (let i = 0; i < ws.length; i += 3) {
        if (ws[i + 1]?.toLowerCase() !== 'as' || ws[i + 2] === undefined) {
          st.complete = false;
          return;
        }
        rename(st, ws[i], ws[i + 2]);
      }
      return;
    }
    case 'eval':
      if (c.assignments) for (const a of c.assignments) st.fields.add(a.field);
      else st.complete = false;
      return;
    case 'stats':
    case 'tstats': {
      const { outputs, by } = statsOutputs(args.filter((a) => a.kind !== 'option'));
      st.fields = new Set([...outputs, ...by]);
      st.complete = true;
      return;
    }
    case 'eventstats':
    case 'streamstats': {
      const { outputs } = statsOutputs(args.filter((a) => a.kind !== 'option'));
      for (const o of outputs) st.fields.add(o);
      return;
    }
    case 'table': {
      const ws = words(args);
      if (ws.some((w) => w.includes('*'))) {
        const res = ws.map(wildcardToRegExp);
        st.fields = new Set([...st.fields].filter((f) => res.some((r) => r.test(f))));
        st.complete = false;
      } else {
        st.fields = new Set(ws);
        st.complete = true;
      }
      return;
    }
    case 'fields': {
      const ws = words(args);
      if (ws[0] === '-') {
        for (const w of ws.slice(1)) {
          const re = wildcardToRegExp(w);
          for (const f of [...st.fields]) if (re.test(f)) st.fields.delete(f);
        }
        return;
      }
      const list = ws[0] === '+' ? ws.slice(1) : ws;
      if (list.some((w) => w.includes('*'))) {
        const res = list.map(wildcardToRegExp);
        st.fields = new Set([...st.fields].filter((f) => res.some((r) => r.test(f))));
      } else {
        st.fields = new Set(list.filter((w) => (st.complete ? st.fields.has(w) : true)));
      }
      return;
    }
    case 'lookup': {
      const ws = words(args);
      const k = ws.findIndex((w) => /^output(new)?$/i.test(w));
      if (k < 0) {
        st.complete = false;
        return;
      }
      const outs = ws.slice(k + 1);
      for (let i = 0; i < outs.length; i++) {
        if (outs[i + 1]?.toLowerCase() === 'as' && outs[i + 2] !== undefined) {
          st.fields.add(outs[i + 2]);
          i += 2;
        } else st.fields.add(outs[i]);
      }
      return;
    }
    case 'convert': {
      const ws = words(args);
      for (let i = 0; i < ws.length; i++) {
        if (ws[i + 1]?.toLowerCase() === 'as' && ws[i + 2] !== undefined) {
          st.fields.add(ws[i + 2]);
          i += 2;
        }
      }
      return;
    }
    case 'rex': {
      if (args.some((a) => a.kind === 'option' && a.key === 'mode' && a.value.value === 'sed')) return;
      for (const a of args) {
        if (a.kind !== 'word' || !a.value.quoted) continue;
        for (const m of a.value.value.matchAll(/\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/g)) st.fields.add(m[1]);
      }
      return;
    }
    case 'spath': {
      const out = args.find((a) => a.kind === 'option' && a.key === 'output');
      if (out && out.kind === 'option') st.fields.add(out.value.value);
      else st.complete = false;
      return;
    }
    case 'iplocation': {
      const prefix = args.find((a) => a.kind === 'option' && a.key === 'prefix');
      const p = prefix && prefix.kind === 'option' ? prefix.value.value : '';
      for (const f of ['City', 'Country', 'Region', 'lat', 'lon']) st.fields.add(p + f);
      return;
    }
    case 'top':
    case 'rare': {
      const ws = words(args);
      const k = ws.findIndex((w) => w.toLowerCase() === 'by');
      const fields = k < 0 ? ws : ws.slice(0, k);
      const by = k < 0 ? [] : ws.slice(k + 1);
      st.fields = new Set([...fields, ...by, 'count', 'percent']);
      st.complete = true;
      return;
    }
    case 'join':
    case 'append':
    case 'appendcols': {
      const sub = args.find((a) => a.kind === 'subsearch');
      if (sub && sub.kind === 'subsearch') {
        const o = outputFields(sub.pipeline);
        for (const f of o.fields) st.fields.add(f);
        st.complete = st.complete && o.complete;
      } else st.complete = false;
      return;
    }
    case 'appendpipe': {
      // The bracket's commands run over the current results; their output rows are appended.
      const sub = args.find((a) => a.kind === 'subsearch');
      if (sub?.kind !== 'subsearch') {
        st.complete = false;
        return;
      }
      const branch: FieldState = { fields: new Set(st.fields), complete: st.complete };
      for (const sc of sub.pipeline.commands) applyCommand(branch, sc, false);
      for (const f of branch.fields) st.fields.add(f);
      st.complete = st.complete && branch.complete;
      return;
    }
    case 'transaction':
      for (const f of ['duration', 'eventcount', 'closed_txn', 'field_match_sum', 'linecount']) st.fields.add(f);
      st.complete = false;
      return;
    case 'fillnull':
      // `fillnull value=x a b` creates a and b where they are missing.
      for (const w of words(args)) st.fields.add(w);
      return;
    case 'addtotals': {
      const fn = args.find((a) => a.kind === 'option' && a.key === 'fieldname');
      st.fields.add(fn && fn.kind === 'option' ? fn.value.value : 'Total');
      return;
    }
    default:
      if (PASS_THROUGH.has(c.name)) {
        if (first) st.complete = false;
        return;
      }
      st.complete = false;
  }
}
