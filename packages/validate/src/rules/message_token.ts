import type { Finding, FileRule } from '../types.js';

/** contentctl's token pattern for risk messages: `\$([^\s.]*)\$`. */
const TOKEN = /\$([^\s.$]*)\$/g;

/**
 * Every `$token$` in tags.message is a field the search outputs (the risk message is rendered from
 * the result row). Checked only when the output field set is knowable (@dac/spl outputFields
 * complete): dac does not guess.
 */
export const messageToken: FileRule = {
  id: 'message-token',
  scope: 'file',
  kinds: ['detection'],
  defaultSeverity: 'error',
  description: 'Every $token$ in tags.message is a field the search outputs.',
  check(ctx) {
    const message = (ctx.data.tags as Record<string, unknown> | undefined)?.message;
    if (typeof message !== 'string' || ctx.schemaFailed(['tags', 'message'])) return [];
    const search = ctx.search();
    if (!search) return [];
    const { fields, complete } = search.outputs();
    // A wildcard output (`stats latest(*) as *`) means unknown fields may be present.
    if (!complete || [...fields].some((f) => f.includes('*'))) return [];
    const out: Finding[] = [];
    for (const m of message.matchAll(TOKEN)) {
      const field = m[1]!;
      if (!field || fields.has(field)) continue;
      out.push({
        ...ctx.posInValue(['tags', 'message'], m.index!),
        message: `message token $${field}$ is not a field the search outputs (outputs: ${[...fields].sort().join(', ')})`,
      });
    }
    return out;
  },
};
