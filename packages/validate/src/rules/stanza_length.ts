import type { FileRule } from '../types.js';

/** contentctl CONTENTCTL_MAX_STANZA_LENGTH = 99 − 18: `<label> - <name> - Rule` must fit in 81 characters. */
export const MAX_STANZA_LENGTH = 81;

export const stanzaLength: FileRule = {
  id: 'stanza-length',
  scope: 'file',
  kinds: ['detection'],
  defaultSeverity: 'error',
  description:
    'The savedsearches.conf stanza `<label> - <name> - Rule` is at most 81 characters (67 for the name with label ESCU).',
  check(ctx) {
    const name = ctx.data.name;
    if (typeof name !== 'string' || ctx.schemaFailed(['name'])) return [];
    const stanza = `${ctx.settings.label} - ${name} - Rule`;
    if (stanza.length <= MAX_STANZA_LENGTH) return [];
    const max = MAX_STANZA_LENGTH - (stanza.length - name.length);
    return [
      {
        ...ctx.pos(['name']),
        message: `name is ${name.length} characters; the stanza "${ctx.settings.label} - … - Rule" allows at most ${max} (stanza would be ${stanza.length} > ${MAX_STANZA_LENGTH})`,
      },
    ];
  },
};
