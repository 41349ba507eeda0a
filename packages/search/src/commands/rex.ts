/**
 * `rex [field=<field>] [max_match=<int>] [offset_field=<f>] "<regex>"` and
 * `rex [field=<field>] mode=sed "s/<regex>/<replacement>/<flags>"` (or `y/abc/xyz/`).
 * Facts (Search Reference, rex):
 * - the regex is PCRE; named groups `(?<name>…)` (also `(?P<name>…)`) become fields;
 * - `field` defaults to `_raw`; "rex without max_match keeps the first match" (max_match=1);
 *   `max_match=0` means unlimited; several matches make the fields multivalue;
 * - a row whose field does not match keeps its fields (rex never removes a field), and a group
 *   that takes no part in a match sets nothing [unverified];
 * - mode=sed replaces in the field (`g` = every match, a number N = the Nth match only);
 *   back-references are `\1`…`\9`.
 * A multivalue input field is read value by value [unverified].
 */
import { compilePcre, type GenericCommand } from '@dac/spl';
import { optionsOf, parseBool, parseCount, wordsOf } from '../args.js';
import type { CommandModule } from '../command.js';
import type { Scalar } from '../types.js';
import { normaliseList, text, valuesOf } from '../values.js';

interface Sed {
  kind: 's';
  re: RegExp;
  replacement: string;
  nth?: number;
}
interface Translit {
  kind: 'y';
  from: string[];
  to: string[];
}

/** Splits `s/re/repl/flags` at unescaped delimiters. */
function splitSed(expr: string): { cmd: string; parts: string[] } | undefined {
  const cmd = expr[0];
  const delim = expr[1];
  if ((cmd !== 's' && cmd !== 'y') || delim === undefined || /[\\\w\s]/.test(delim)) return undefined;
  const parts: string[] = [];
  let cur = '';
  for (let i = 2; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === '\\' && i + 1 < expr.length) {
      // An escaped delimiter is the delimiter itself; other escapes stay for the regex.
      if (expr[i + 1] === delim) cur += delim;
      else cur += c + expr[i + 1];
      i++;
      continue;
    }
    if (c === delim) {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  parts.push(cur);
  if (parts.length !== 3) return undefined;
  return { cmd, parts };
}

/** Sed replacement text → JavaScript: `\1` → `$1`, `&` → `$&`, literal `$` kept. */
function sedReplacement(r: string): string {
  let out = '';
  for (let i = 0; i < r.length; i++) {
    const c = r[i]!;
    if (c === '$') out += '$$';
    else if (c === '&') out += '$&';
    else if (c === '\\' && i + 1 < r.length) {
      const d = r[i + 1]!;
      out += /\d/.test(d) ? `$${d}` : d === 'n' ? '\n' : d === 't' ? '\t' : d;
      i++;
    } else out += c;
  }
  return out;
}

export const rex: CommandModule<GenericCommand> = {
  names: ['rex'],
  prepare(cmd, ctx) {
    const o = optionsOf(cmd.args);
    for (const [k, v] of o)
      if (!['field', 'max_match', 'mode', 'offset_field'].includes(k))
        return ctx.error(v.span, `rex: unknown option ${k}=`);
    const field = o.get('field')?.value ?? '_raw';
    const mm = o.get('max_match');
    const maxMatch = mm ? parseCount(mm.value) : 1;
    if (maxMatch === undefined) return ctx.error(mm!.span, 'rex: max_match= needs a non-negative integer');
    const ws = wordsOf(cmd.args);
    if (ws.length !== 1)
      return ctx.error(ws[1]?.span ?? cmd.spanOfCommand, 'rex needs exactly one quoted regular expression');
    const pattern = ws[0]!;
    const offsetField = o.get('offset_field')?.value;
    const mode = o.get('mode')?.value;
    if (mode !== undefined && mode !== 'sed') return ctx.error(o.get('mode')!.span, 'rex: mode= must be sed');
    if (mode === 'sed') {
      const sp = splitSed(pattern.value);
      if (!sp)
        return ctx.error(pattern.span, 'rex mode=sed: expected "s/<regex>/<replacement>/<flags>" or "y/<from>/<to>/"');
      let op: Sed | Translit;
      if (sp.cmd === 'y') {
        const from = [...sp.parts[0]!];
        const to = [...sp.parts[1]!];
        if (from.length !== to.length)
          return ctx.error(pattern.span, 'rex mode=sed: y/// needs strings of equal length');
        op = { kind: 'y', from, to };
      } else {
        const flags = sp.parts[2]!;
        if (!/^(g|\d+|i|gi|ig)?$/.test(flags))
          return ctx.error(pattern.span, `rex mode=sed: unsupported flags "${flags}"`);
        const re = compilePcre(
          sp.parts[0]!,
          `${flags.includes('g') || /\d/.test(flags) ? 'g' : ''}${flags.includes('i') ? 'i' : ''}`,
        );
        if ('error' in re)
          return ctx.error(pattern.span, `not replayable: rex regular expression: ${re.error}`, 'not-replayable');
        op = {
          kind: 's',
          re,
          replacement: sedReplacement(sp.parts[1]!),
          nth: /^\d+$/.test(flags) ? Number(flags) : undefined,
        };
      }
      const apply = (s: string): string => {
        if (op.kind === 'y') {
          let out = '';
          for (const ch of s) {
            const k = op.from.indexOf(ch);
            out += k < 0 ? ch : op.to[k];
          }
          return out;
        }
        op.re.lastIndex = 0;
        if (op.nth === undefined) return s.replace(op.re, op.replacement);
        let n = 0;
        const repl = op.replacement;
        return s.replace(op.re, (...m) => {
          n++;
          if (n !== op.nth) return m[0] as string;
          return (m[0] as string).replace(new RegExp(op.re.source, op.re.flags.replace('g', '')), repl);
        });
      };
      return {
        name: 'rex',
        span: cmd.spanOfCommand,
        kind: 'streaming',
        quiet: true,
        stage(next) {
          return {
            push(row) {
              const v = row[field];
              if (v !== undefined) row[field] = Array.isArray(v) ? v.map((x) => apply(text(x))) : apply(text(v));
              next.push(row);
            },
            end: () => next.end(),
          };
        },
      };
    }
    const re = compilePcre(pattern.value, 'g');
    if ('error' in re)
      return ctx.error(pattern.span, `not replayable: rex regular expression: ${re.error}`, 'not-replayable');
    const names = [...new Set([...pattern.value.matchAll(/\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map((m) => m[1]!))];
    if (names.length === 0 && !offsetField)
      ctx.warning(pattern.span, 'rex: the regular expression has no named group, so it extracts nothing');
    if (/\(\?P?<_KEY_|\(\?P?<_VAL_/.test(pattern.value))
      return ctx.error(
        pattern.span,
        'not replayable: rex _KEY_/_VAL_ dynamic field names are not implemented',
        'not-replayable',
      );
    void parseBool;
    return {
      name: 'rex',
      span: cmd.spanOfCommand,
      kind: 'streaming',
      quiet: true,
      stage(next) {
        return {
          push(row) {
            const input = valuesOf(row[field]);
            if (input.length > 0) {
              const got = new Map<string, Scalar[]>();
              let count = 0;
              const offsets: string[] = [];
              outer: for (const value of input) {
                const s = text(value);
                re.lastIndex = 0;
                for (let m = re.exec(s); m; m = re.exec(s)) {
                  if (m[0] === '') re.lastIndex++;
                  count++;
                  const g = m.groups ?? {};
                  for (const n of names) {
                    const x = g[n];
                    if (x === undefined) continue;
                    let l = got.get(n);
                    if (!l) got.set(n, (l = []));
                    l.push(x);
                  }
                  if (offsetField) offsets.push(`${m.index}-${m.index + m[0].length - 1}`);
                  if (maxMatch !== 0 && count >= maxMatch) break outer;
                }
              }
              for (const [n, l] of got) row[n] = normaliseList(l);
              if (offsetField && offsets.length > 0) row[offsetField] = offsets.join('&');
            }
            next.push(row);
          },
          end: () => next.end(),
        };
      },
    };
  },
};
