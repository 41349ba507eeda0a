/**
 * `table <field>…` and `fields [+|-] <field>…` (wildcards allowed). Facts (Search Reference):
 * table keeps only the listed fields, in the listed order (a wildcard expands to the matching
 * fields in their row order), and drops the internal fields it does not list; `fields` (+, the
 * default) keeps the listed fields "and the internal fields _raw and _time" unless they are
 * removed explicitly; `fields -` removes the listed ones.
 */
import type { GenericCommand } from '@dac/spl';
import { fieldNames, wordsOf } from '../args.js';
import type { CommandModule } from '../command.js';
import type { Row } from '../types.js';
import { type FieldPattern, fieldPattern } from '../values.js';

function project(row: Row, pats: readonly FieldPattern[], keepInternal: boolean): Row {
  const out: Row = {};
  for (const p of pats) {
    if (!p.wildcard) {
      const v = row[p.text];
      if (v !== undefined && !(p.text in out)) out[p.text] = v;
      continue;
    }
    for (const k in row) if (!(k in out) && p.test(k) && row[k] !== undefined) out[k] = row[k];
  }
  if (keepInternal) {
    if (row._time !== undefined && !('_time' in out)) out._time = row._time;
    if (row._raw !== undefined && !('_raw' in out)) out._raw = row._raw;
  }
  return out;
}

export const table: CommandModule<GenericCommand> = {
  names: ['table'],
  prepare(cmd, ctx) {
    const ws = fieldNames(wordsOf(cmd.args));
    if (ws.length === 0) return ctx.error(cmd.spanOfCommand, 'table needs at least one field');
    const pats = ws.map((w) => fieldPattern(w.value));
    return {
      name: 'table',
      span: cmd.spanOfCommand,
      rows: 'fresh',
      kind: 'streaming',
      quiet: true,
      stage(next) {
        return { push: (row) => next.push(project(row, pats, false)), end: () => next.end() };
      },
    };
  },
};

export const fields: CommandModule<GenericCommand> = {
  names: ['fields'],
  prepare(cmd, ctx) {
    let ws = fieldNames(wordsOf(cmd.args));
    let remove = false;
    if (ws[0] && !ws[0].quoted && (ws[0].value === '-' || ws[0].value === '+')) {
      remove = ws[0].value === '-';
      ws = ws.slice(1);
    } else if (ws[0] && !ws[0].quoted && /^[-+]./.test(ws[0].value)) {
      remove = ws[0].value[0] === '-';
      ws = [{ ...ws[0], value: ws[0].value.slice(1) }, ...ws.slice(1)];
    }
    if (ws.length === 0) return ctx.error(cmd.spanOfCommand, 'fields needs at least one field');
    const pats = ws.map((w) => fieldPattern(w.value));
    const explicit = new Set(ws.map((w) => w.value));
    return {
      name: 'fields',
      span: cmd.spanOfCommand,
      kind: 'streaming',
      quiet: true,
      stage(next) {
        if (remove)
          return {
            push(row) {
              for (const p of pats) {
                if (!p.wildcard) delete row[p.text];
                else for (const k of Object.keys(row)) if (p.test(k)) delete row[k];
              }
              next.push(row);
            },
            end: () => next.end(),
          };
        const keepInternal = !explicit.has('_time') || !explicit.has('_raw');
        return { push: (row) => next.push(project(row, pats, keepInternal)), end: () => next.end() };
      },
    };
  },
};
