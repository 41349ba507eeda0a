/**
 * `foreach <wc-field>… [fieldstr=<s>] [matchstr=<s>] [matchseg1=<s>]… [<commands>]` — runs the
 * bracketed commands once per field whose name matches the (wildcard) list, with the template
 * tokens replaced. Facts (Search Reference, foreach): `<<FIELD>>` is the field name,
 * `<<MATCHSTR>>` the part the wildcards matched, `<<MATCHSEG1>>`, `<<MATCHSEG2>>`… the part each
 * wildcard matched; `fieldstr`/`matchstr`/`matchseg<N>` rename those tokens. The fields are the
 * row's fields when it reaches foreach, in row order (mode=multifield, the default);
 * `mode=multivalue|json_array` (`<<ITEM>>`) is not implemented (reported). The commands must be
 * streaming (eval, where, …).
 */
import type { GenericCommand } from '@dac/spl';
import { fieldNames, optionsOf, parseCommandsAt, wordsOf } from '../args.js';
import type { CommandModule } from '../command.js';
import { chain, type PipelinePlan, type Sink } from '../engine.js';
import type { Row } from '../types.js';
import { type FieldPattern, fieldPattern } from '../values.js';

interface Tokens {
  field: string;
  matchstr: string;
  seg: string[];
}

/** Replaces the template tokens (longest first, so MATCHSEG10 is not read as MATCHSEG1). */
function substitute(body: string, tokens: Tokens, values: { field: string; matchstr: string; segs: string[] }): string {
  const reps: [string, string][] = [
    [tokens.field, values.field],
    [tokens.matchstr, values.matchstr],
    ...tokens.seg.map((t, i) => [t, values.segs[i] ?? ''] as [string, string]),
  ];
  reps.sort((a, b) => b[0].length - a[0].length);
  let out = body;
  for (const [t, v] of reps) out = out.split(t).join(v);
  return out;
}

/** A same-length identifier standing for a token at prepare time (keeps offsets exact). */
function placeholder(token: string): string {
  const core = token.replace(/[^A-Za-z0-9_]/g, '_');
  return `x${core.slice(1)}`.padEnd(token.length, '_').slice(0, token.length);
}

export const foreach: CommandModule<GenericCommand> = {
  names: ['foreach'],
  prepare(cmd, ctx) {
    const o = optionsOf(cmd.args);
    for (const [k, v] of o)
      if (!/^(fieldstr|matchstr|matchseg\d+|mode)$/.test(k)) return ctx.error(v.span, `foreach: unknown option ${k}=`);
    const mode = o.get('mode')?.value.toLowerCase() ?? 'multifield';
    if (mode !== 'multifield')
      return ctx.error(
        o.get('mode')!.span,
        `not replayable: foreach mode=${mode} is not implemented`,
        'not-replayable',
      );
    const subs = cmd.args.filter((a) => a.kind === 'subsearch');
    if (subs.length !== 1) return ctx.error(cmd.spanOfCommand, 'foreach needs one [commands] template');
    const s = subs[0]!;
    const pats: FieldPattern[] = fieldNames(wordsOf(cmd.args)).map((w) => fieldPattern(w.value));
    if (pats.length === 0) return ctx.error(cmd.spanOfCommand, 'foreach needs at least one field');
    const maxSegs = Math.max(0, ...pats.map((p) => p.text.split('*').length - 1));
    const tokens: Tokens = {
      field: o.get('fieldstr')?.value ?? '<<FIELD>>',
      matchstr: o.get('matchstr')?.value ?? '<<MATCHSTR>>',
      seg: Array.from(
        { length: Math.max(maxSegs, 9) },
        (_, i) => o.get(`matchseg${i + 1}`)?.value ?? `<<MATCHSEG${i + 1}>>`,
      ),
    };
    const base = cmd.textSpan?.start ?? 0;
    const bodyStart = s.span.start + 1;
    const body = cmd.text.slice(bodyStart - base, s.span.end - 1 - base);
    // Prepare-time check of the template with placeholders of the same length.
    const probe = substitute(body, tokens, {
      field: placeholder(tokens.field),
      matchstr: placeholder(tokens.matchstr),
      segs: tokens.seg.map(placeholder),
    });
    const parsed = parseCommandsAt(probe, bodyStart - 1);
    if (!parsed.ok) return ctx.error(parsed.span, `foreach template: ${parsed.message}`);
    const checked = ctx.rowsPipeline(parsed.value);
    if (!checked) return undefined;
    for (const c of checked.commands) {
      if (c.kind !== 'streaming' || c.name === 'mvexpand' || c.name === 'append' || c.name === 'appendpipe')
        return ctx.error(
          c.span,
          `not replayable: foreach runs ${c.name}, which does not work row by row`,
          'not-replayable',
        );
      if ((c.subsearches?.length ?? 0) > 0)
        return ctx.error(c.span, 'not replayable: a subsearch inside a foreach template', 'not-replayable');
    }
    return {
      name: 'foreach',
      span: cmd.spanOfCommand,
      kind: 'streaming',
      stage(next, rt) {
        const cache = new Map<string, { head: Sink; out: Row[] } | { error: string }>();
        const compile = (text: string) => {
          let hit = cache.get(text);
          if (hit) return hit;
          const p = parseCommandsAt(text, bodyStart - 1);
          let plan: PipelinePlan | { error: string };
          if (!p.ok) plan = { error: p.message };
          else plan = ctx.rowsPipelineLater(p.value);
          if ('error' in plan) hit = plan;
          else {
            const out: Row[] = [];
            hit = { head: chain(plan.commands, { push: (r) => out.push(r), end() {} }, rt), out };
          }
          if (cache.size > 10_000) cache.clear();
          cache.set(text, hit);
          return hit;
        };
        const warned = new Set<string>();
        return {
          push(row) {
            const names = Object.keys(row).filter((k) => row[k] !== undefined);
            let current: Row | undefined = row;
            for (const name of names) {
              if (!current) break;
              for (const p of pats) {
                const caps = p.capture(name);
                if (!caps) continue;
                const t = substitute(body, tokens, { field: name, matchstr: caps.join(''), segs: caps });
                const c = compile(t);
                if ('error' in c) {
                  if (!warned.has(t)) {
                    warned.add(t);
                    rt.warn('foreach', `template for ${name}: ${c.error}`, cmd.spanOfCommand);
                  }
                  break;
                }
                c.out.length = 0;
                c.head.push(current);
                current = c.out.length > 0 ? c.out[c.out.length - 1] : undefined;
                break;
              }
            }
            if (current) next.push(current);
          },
          end: () => next.end(),
        };
      },
    };
  },
};
