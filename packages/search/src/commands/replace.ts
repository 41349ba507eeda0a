/**
 * `replace <wc-string> WITH <wc-string> [, <wc-string> WITH <wc-string>]… [IN <field-list>]` —
 * Facts (Search Reference, replace): replaces whole field values that match (case-sensitively;
 * `*` is a wildcard, and the `*`s of the replacement take what the pattern's matched); the first
 * matching pair wins; without IN it applies to every field except internal ones.
 */
import type { GenericCommand } from '@dac/spl';
import { fieldNames, wordsOf } from '../args.js';
import type { CommandModule } from '../command.js';
import type { Scalar } from '../types.js';
import { type FieldPattern, fieldPattern, text } from '../values.js';

export const replace: CommandModule<GenericCommand> = {
  names: ['replace'],
  prepare(cmd, ctx) {
    const ws = wordsOf(cmd.args);
    const inAt = ws.findIndex((w) => !w.quoted && /^in$/i.test(w.value));
    const pairWords = inAt < 0 ? ws : ws.slice(0, inAt);
    const fields = inAt < 0 ? [] : fieldNames(ws.slice(inAt + 1)).map((w) => fieldPattern(w.value));
    const pairs: { from: FieldPattern; to: string }[] = [];
    for (let i = 0; i < pairWords.length; i += 3) {
      const from = pairWords[i]!;
      const w = pairWords[i + 1];
      const to = pairWords[i + 2];
      if (!w || !/^with$/i.test(w.value) || !to)
        return ctx.error(from.span, 'replace: expected "<value> WITH <value>" pairs');
      pairs.push({ from: fieldPattern(from.value.replace(/,$/, '')), to: to.value.replace(/,$/, '') });
    }
    if (pairs.length === 0) return ctx.error(cmd.spanOfCommand, 'replace needs "<value> WITH <value>"');
    if (inAt >= 0 && fields.length === 0) return ctx.error(ws[inAt]!.span, 'replace: IN needs fields');
    const one = (s: Scalar): Scalar => {
      const t = text(s);
      for (const p of pairs) {
        const caps = p.from.capture(t);
        if (!caps) continue;
        let n = 0;
        return p.to.replace(/\*/g, () => caps[n++] ?? '');
      }
      return s;
    };
    return {
      name: 'replace',
      span: cmd.spanOfCommand,
      kind: 'streaming',
      stage(next) {
        return {
          push(row) {
            for (const k of Object.keys(row)) {
              if (fields.length > 0 ? !fields.some((f) => f.test(k)) : k.startsWith('_')) continue;
              const v = row[k];
              if (v === undefined) continue;
              row[k] = Array.isArray(v) ? v.map(one) : one(v);
            }
            next.push(row);
          },
          end: () => next.end(),
        };
      },
    };
  },
};
