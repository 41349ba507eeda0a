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
    const message = ctx.detection!.tags.value?.message;
    if (message?.value === undefined || ctx.schemaFailed(message)) return [];
    const search = ctx.search();
    if (!search) return [];
    const { fields, complete } = search.outputs();
    // A wildcard output (`stats latest(*) as *`) means unknown fields may be present.
    if (!complete || [...fields].some((f) => f.includes('*'))) return [];
    const out: Finding[] = [];
    for (const m of message.value.matchAll(TOKEN)) {
      const field = m[1]!;
      if (!field || fields.has(field)) continue;
      out.push({
        ...ctx.posInValue(message, m.index!),
        message: `message token $${field}$ is not a field the search outputs (outputs: ${[...fields].sort().join(', ')})`,
      });
    }
    return out;
  },
};
