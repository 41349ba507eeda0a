/**
 * `lookup [local=<bool>] [update=<bool>] <table> <lookup-field> [AS <event-field>] …
 * [OUTPUT | OUTPUTNEW <lookup-destfield> [AS <event-destfield>] …]` over the caller's CSV lookups.
 * Facts (Search Reference, lookup; matching rules in ../lookup.ts):
 * - without OUTPUT/OUTPUTNEW every column that is not an input field is output;
 * - OUTPUT overwrites the output fields; "OUTPUTNEW leaves fields that already exist untouched";
 * - several matches make the output fields multivalue (file order);
 * - an event whose input field is null does not match;
 * - with OUTPUT, an event that matches nothing has its output fields cleared
 *   (LOOKUP_OUTPUT_CLEARS_UNMATCHED) [unverified]; OUTPUTNEW leaves it as it was.
 */
import type { GenericCommand } from '@dac/spl';
import { fieldNames, optionsOf, type Word, wordsOf } from '../args.js';
import type { CommandModule, PrepareContext } from '../command.js';
import { LOOKUP_DEFAULTS, type LookupMatcher, lookupMatcher } from '../lookup.js';
import type { LookupTable, Scalar } from '../types.js';
import { normaliseList } from '../values.js';

/** See the module comment. */
export const LOOKUP_OUTPUT_CLEARS_UNMATCHED = true;

/** The table a lookup/inputlookup names, or a diagnostic. */
export function resolveTable(name: Word, command: string, ctx: PrepareContext): LookupTable | undefined {
  const provider = ctx.options.lookups;
  if (!provider)
    return ctx.error(
      name.span,
      `not replayable: ${command} ${name.value}: no lookup tables were given to the search engine`,
      'not-replayable',
    );
  const t = provider.lookup(name.value);
  if (!t) return ctx.error(name.span, `not replayable: ${command}: unknown lookup ${name.value}`, 'not-replayable');
  if ('unavailable' in t)
    return ctx.error(name.span, `not replayable: ${command} ${name.value} ${t.unavailable}`, 'live-state');
  return t;
}

interface Pair {
  from: string;
  to: string;
  span: Word['span'];
}

function pairs(ws: readonly Word[], ctx: PrepareContext): Pair[] | undefined {
  const out: Pair[] = [];
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i]!;
    if (!w.quoted && /^as$/i.test(w.value)) return ctx.error(w.span, 'lookup: "AS" needs a field before it');
    const as = ws[i + 1];
    if (as && !as.quoted && /^as$/i.test(as.value)) {
      const to = ws[i + 2];
      if (!to) return ctx.error(as.span, 'lookup: "AS" needs a field after it');
      out.push({ from: w.value, to: to.value, span: w.span });
      i += 2;
    } else out.push({ from: w.value, to: w.value, span: w.span });
  }
  return out;
}

export const lookup: CommandModule<GenericCommand> = {
  names: ['lookup'],
  prepare(cmd, ctx) {
    const o = optionsOf(cmd.args);
    for (const [k, v] of o)
      if (k !== 'local' && k !== 'update') return ctx.error(v.span, `lookup: unknown option ${k}=`);
    const ws = fieldNames(wordsOf(cmd.args));
    const tableWord = ws[0];
    if (!tableWord) return ctx.error(cmd.spanOfCommand, 'lookup needs a lookup table name');
    const rest = ws.slice(1);
    const kw = rest.findIndex((w) => !w.quoted && /^(output|outputnew)$/i.test(w.value));
    const inputs = pairs(kw < 0 ? rest : rest.slice(0, kw), ctx);
    const outputsGiven = kw < 0 ? [] : pairs(rest.slice(kw + 1), ctx);
    if (!inputs || !outputsGiven) return undefined;
    if (inputs.length === 0) return ctx.error(tableWord.span, 'lookup needs at least one lookup field');
    const outputNew = kw >= 0 && rest[kw]!.value.toLowerCase() === 'outputnew';
    const table = resolveTable(tableWord, 'lookup', ctx);
    if (!table) return undefined;
    for (const p of [...inputs, ...outputsGiven])
      if (!table.fields.includes(p.from))
        return ctx.error(
          p.span,
          `lookup ${table.name}: the table has no field ${p.from} (fields: ${table.fields.join(', ')})`,
        );
    const inputNames = new Set(inputs.map((p) => p.from));
    const outputs: Pair[] =
      outputsGiven.length > 0
        ? outputsGiven
        : table.fields.filter((f) => !inputNames.has(f)).map((f) => ({ from: f, to: f, span: tableWord.span }));
    const minMatches = table.minMatches ?? LOOKUP_DEFAULTS.minMatches;
    // The matcher (an index over the table) holds no run state: shared by every search that
    // looks the table up by these fields, made on first use.
    const inputFields = inputs.map((p) => p.from);
    const eventFields = inputs.map((p) => p.to);
    let shared: LookupMatcher | undefined;
    return {
      name: 'lookup',
      span: cmd.spanOfCommand,
      kind: 'streaming',
      quiet: true,
      stage(next) {
        // Kept by the plan once found: a run is opened per detection and log (`dac scan`).
        const matcher = (shared ??= lookupMatcher(table, inputFields));
        return {
          push(row) {
            const matches = matcher.matchRow(row, eventFields) ?? [];
            if (matches.length === 0 && minMatches === 0) {
              if (!outputNew && LOOKUP_OUTPUT_CLEARS_UNMATCHED) for (const p of outputs) delete row[p.to];
              next.push(row);
              return;
            }
            for (const p of outputs) {
              if (outputNew && row[p.to] !== undefined) continue;
              const vals: Scalar[] = [];
              for (const m of matches) {
                const v = m[p.from];
                if (v !== undefined && v !== '') vals.push(v);
              }
              if (matches.length < minMatches && table.defaultMatch !== undefined)
                for (let k = matches.length; k < minMatches; k++) vals.push(table.defaultMatch);
              const v = normaliseList(vals);
              if (v === undefined) delete row[p.to];
              else row[p.to] = v;
            }
            next.push(row);
          },
          end: () => next.end(),
        };
      },
    };
  },
};
