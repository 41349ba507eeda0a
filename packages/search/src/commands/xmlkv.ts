/**
 * `xmlkv [<field>] [maxinputs=<int>]` — Facts (Search Reference, xmlkv): extracts key-value
 * pairs from XML: for `<foo>bar</foo>` the field foo=bar (elements with text content, at any
 * depth; a repeated element gives a multivalue field). The input defaults to `_raw`.
 */
import type { GenericCommand } from '@dac/spl';
import { optionsOf, wordsOf } from '../args.js';
import type { CommandModule } from '../command.js';
import type { Scalar } from '../types.js';
import { normaliseList, text, valuesOf } from '../values.js';

const ELEMENT = /<([A-Za-z_][\w.:-]*)(?:\s[^<>]*)?>([^<]*)<\/\1\s*>/g;

function decodeEntities(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (all, e: string) => {
    switch (e) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default: {
        const cp = e.startsWith('#x') ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
        return Number.isFinite(cp) && cp <= 0x10ffff ? String.fromCodePoint(cp) : all;
      }
    }
  });
}

export const xmlkv: CommandModule<GenericCommand> = {
  names: ['xmlkv'],
  prepare(cmd, ctx) {
    const o = optionsOf(cmd.args);
    for (const [k, v] of o)
      if (k !== 'maxinputs' && k !== 'field') return ctx.error(v.span, `xmlkv: unknown option ${k}=`);
    const ws = wordsOf(cmd.args);
    if (ws.length > 1) return ctx.error(ws[1]!.span, 'xmlkv takes at most one field');
    const field = o.get('field')?.value ?? ws[0]?.value ?? '_raw';
    return {
      name: 'xmlkv',
      span: cmd.spanOfCommand,
      kind: 'streaming',
      stage(next) {
        return {
          push(row) {
            const got = new Map<string, Scalar[]>();
            for (const v of valuesOf(row[field])) {
              for (const m of text(v).matchAll(ELEMENT)) {
                const value = decodeEntities(m[2]!.trim());
                if (value === '') continue;
                let l = got.get(m[1]!);
                if (!l) got.set(m[1]!, (l = []));
                l.push(value);
              }
            }
            for (const [k, l] of got) row[k] = normaliseList(l);
            next.push(row);
          },
          end: () => next.end(),
        };
      },
    };
  },
};
