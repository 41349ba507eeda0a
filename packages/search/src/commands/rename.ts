/**
 * `rename <field> AS <new> [, <field> AS <new>]…` with `*` wildcards (`"Processes.*" as *`).
 * Facts (Search Reference, rename): renames run left to right; a wildcard in both names carries
 * the matched text over; renaming onto an existing field replaces that field's value; a field
 * that does not exist is not renamed (and leaves the target as it is).
 */
import type { GenericCommand } from '@dac/spl';
import { fieldNames, wordsOf } from '../args.js';
import type { CommandModule } from '../command.js';
import type { Row } from '../types.js';
import { type FieldPattern, fieldPattern } from '../values.js';

interface Rename {
  from: FieldPattern;
  to: string;
  /** Wildcard renames: field name → new name (null: not renamed); rows of a search share their names. */
  names: Map<string, string | null>;
  /**
   * Wildcard renames: the field names (in row order) of the last row renamed and, per field, the
   * name it has in the output (null: dropped, a renamed field took its name); `moves` false when
   * no field of that shape is renamed. Rows of one stage mostly share a shape (a stats or tstats
   * output: its by-fields and aggregates), so the plan is made once per shape, not per row.
   */
  shape?: { fields: string[]; outNames: (string | null)[]; moves: boolean };
}

/** The new name of field `k` under a wildcard rename, or undefined when it does not match. */
function newName(r: Rename, k: string): string | undefined {
  let name = r.names.get(k);
  if (name === undefined) {
    const caps = r.from.capture(k);
    let n = 0;
    name = caps ? r.to.replace(/\*/g, () => caps[n++] ?? '') : null;
    if (r.names.size < 10_000) r.names.set(k, name);
  }
  return name ?? undefined;
}

function applyRename(row: Row, r: Rename): Row {
  if (!r.from.wildcard) {
    const v = row[r.from.text];
    if (v === undefined || r.from.text === r.to) return row;
    // Keep the row's field order: the renamed field takes the old one's place.
    const out: Row = {};
    for (const k in row) {
      if (k === r.from.text) out[r.to] = v;
      else if (k !== r.to) out[k] = row[k];
    }
    return out;
  }
  let shape = r.shape;
  if (!shape || !sameShape(row, shape.fields)) r.shape = shape = shapeOf(row, r);
  if (!shape.moves) return row;
  const out: Row = {};
  const { fields, outNames } = shape;
  for (let i = 0; i < fields.length; i++) {
    const to = outNames[i];
    if (to !== null) out[to!] = row[fields[i]!];
  }
  return out;
}

/** Whether the row's fields are `fields`, in that order. */
function sameShape(row: Row, fields: readonly string[]): boolean {
  let i = 0;
  for (const k in row) if (fields[i++] !== k) return false;
  return i === fields.length;
}

/** The wildcard rename's plan for rows with the fields of `row` (see Rename.shape). */
function shapeOf(row: Row, r: Rename): NonNullable<Rename['shape']> {
  const fields: string[] = [];
  const renamed = new Set<string>();
  for (const k in row) {
    fields.push(k);
    const to = newName(r, k);
    if (to !== undefined) renamed.add(to);
  }
  // A renamed field replaces a same-named one; assigning in row order keeps the first position
  // of a name and the value of its last source.
  const outNames = fields.map((k) => newName(r, k) ?? (renamed.has(k) ? null : k));
  return { fields, outNames, moves: renamed.size > 0 };
}

export const rename: CommandModule<GenericCommand> = {
  names: ['rename'],
  prepare(cmd, ctx) {
    const ws = fieldNames(wordsOf(cmd.args));
    const renames: Rename[] = [];
    for (let i = 0; i < ws.length; i += 3) {
      const from = ws[i]!;
      const as = ws[i + 1];
      const to = ws[i + 2];
      if (!as || !/^as$/i.test(as.value) || !to)
        return ctx.error(from.span, 'rename: expected "<field> as <newname>" pairs');
      const stars = (s: string) => s.split('*').length - 1;
      if (stars(to.value) > 0 && stars(to.value) !== stars(from.value))
        return ctx.error(to.span, 'rename: the new name must have as many wildcards as the old one (or none)');
      renames.push({ from: fieldPattern(from.value), to: to.value, names: new Map() });
    }
    if (renames.length === 0) return ctx.error(cmd.spanOfCommand, 'rename needs "<field> as <newname>"');
    return {
      name: 'rename',
      span: cmd.spanOfCommand,
      kind: 'streaming',
      quiet: true,
      stage(next) {
        return {
          push(row) {
            let r = row;
            for (const x of renames) r = applyRename(r, x);
            next.push(r);
          },
          end: () => next.end(),
        };
      },
    };
  },
};
