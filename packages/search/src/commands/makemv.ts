/**
 * `makemv [delim=<string> | tokenizer=<regex>] [allowempty=<bool>] [setsv=<bool>] <field>` —
 * splits a field into a multivalue field. Facts (Search Reference, makemv): the default delimiter
 * is a single space; `tokenizer` takes the first capture group (or the whole match) of every
 * match; empty values are dropped unless `allowempty=true`; `setsv=true` also keeps the original
 * single value (not implemented: reported).
 */
import { compilePcre, type GenericCommand } from '@dac/spl';
import { fieldNames, optionsOf, parseBool, wordsOf } from '../args.js';
import type { CommandModule } from '../command.js';
import { normaliseList, text } from '../values.js';

export const makemv: CommandModule<GenericCommand> = {
  names: ['makemv'],
  prepare(cmd, ctx) {
    const o = optionsOf(cmd.args);
    for (const [k, v] of o)
      if (!['delim', 'tokenizer', 'allowempty', 'setsv'].includes(k))
        return ctx.error(v.span, `makemv: unknown option ${k}=`);
    if (o.get('setsv') && parseBool(o.get('setsv')!.value))
      return ctx.error(o.get('setsv')!.span, 'not replayable: makemv setsv=true is not implemented', 'not-replayable');
    const allowEmpty = o.get('allowempty') ? parseBool(o.get('allowempty')!.value) === true : false;
    const ws = fieldNames(wordsOf(cmd.args));
    if (ws.length !== 1) return ctx.error(ws[1]?.span ?? cmd.spanOfCommand, 'makemv needs exactly one field');
    const field = ws[0]!.value;
    let split: (s: string) => string[];
    const tok = o.get('tokenizer');
    if (tok) {
      const re = compilePcre(tok.value, 'g');
      if ('error' in re) return ctx.error(tok.span, `not replayable: makemv tokenizer: ${re.error}`, 'not-replayable');
      split = (s) => {
        const out: string[] = [];
        re.lastIndex = 0;
        for (let m = re.exec(s); m; m = re.exec(s)) {
          if (m[0] === '') re.lastIndex++;
          out.push(m[1] ?? m[0]);
        }
        return out;
      };
    } else {
      const delim = o.get('delim')?.value ?? ' ';
      if (delim === '') return ctx.error(o.get('delim')!.span, 'makemv: delim= must not be empty');
      split = (s) => s.split(delim);
    }
    return {
      name: 'makemv',
      span: cmd.spanOfCommand,
      kind: 'streaming',
      stage(next) {
        return {
          push(row) {
            const v = row[field];
            if (v !== undefined && !Array.isArray(v)) {
              const parts = split(text(v)).filter((p) => allowEmpty || p !== '');
              const nv = normaliseList(parts);
              if (nv === undefined) delete row[field];
              else row[field] = nv;
            }
            next.push(row);
          },
          end: () => next.end(),
        };
      },
    };
  },
};
