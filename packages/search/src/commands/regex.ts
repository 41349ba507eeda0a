/**
 * `regex <field>=<regex>` / `regex <field>!=<regex>` / `regex "<regex>"` (on `_raw`) — keeps the
 * rows whose field matches (or, with `!=`, does not match) the PCRE. The match is a search within
 * the value (unanchored). A row without the field is dropped by `=` and kept by `!=` [unverified];
 * a multivalue field matches when any value does.
 */
import { compilePcre, type GenericCommand, unescapeSpl } from '@dac/spl';
import type { CommandModule } from '../command.js';
import { text, valuesOf } from '../values.js';

export const regex: CommandModule<GenericCommand> = {
  names: ['regex'],
  prepare(cmd, ctx) {
    // The generic arguments split `f!=re` oddly; read the text: [field (=|!=)] "regex".
    const t = cmd.text.trim();
    const m = /^(?:([A-Za-z_][\w.:-]*|"[^"]+")\s*(!=|=)\s*)?([\s\S]+)$/.exec(t);
    if (!m) return ctx.error(cmd.spanOfCommand, 'regex needs a regular expression');
    const field = m[1] ? m[1].replace(/^"|"$/g, '') : '_raw';
    const negate = m[2] === '!=';
    let pat = m[3]!.trim();
    if (pat.length >= 2 && pat.startsWith('"') && pat.endsWith('"')) pat = unescapeSpl(pat.slice(1, -1));
    const re = compilePcre(pat);
    if ('error' in re)
      return ctx.error(cmd.textSpan ?? cmd.spanOfCommand, `not replayable: regex: ${re.error}`, 'not-replayable');
    return {
      name: 'regex',
      span: cmd.spanOfCommand,
      rows: 'readonly',
      kind: 'streaming',
      quiet: true,
      stage(next) {
        return {
          push(row) {
            const vs = valuesOf(row[field]);
            const hit = vs.some((v) => re.test(text(v)));
            if (vs.length === 0 ? negate : hit !== negate) next.push(row);
          },
          end: () => next.end(),
        };
      },
    };
  },
};
