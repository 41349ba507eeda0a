import { detectionStanzaName, MAX_STANZA_LENGTH } from '@dac/content';
import type { FileRule } from '../types.js';

export const stanzaLength: FileRule = {
  id: 'stanza-length',
  scope: 'file',
  kinds: ['detection'],
  defaultSeverity: 'error',
  description:
    'The savedsearches.conf stanza `<label> - <name> - Rule` is at most 81 characters (67 for the name with label ESCU).',
  check(ctx) {
    const name = ctx.document.name.value;
    if (name === undefined || ctx.schemaFailed(ctx.document.name)) return [];
    const stanza = detectionStanzaName(ctx.settings.label, name);
    if (stanza.length <= MAX_STANZA_LENGTH) return [];
    const max = MAX_STANZA_LENGTH - (stanza.length - name.length);
    return [
      {
        ...ctx.pos(ctx.document.name),
        message: `name is ${name.length} characters; the stanza "${ctx.settings.label} - … - Rule" allows at most ${max} (stanza would be ${stanza.length} > ${MAX_STANZA_LENGTH})`,
      },
    ];
  },
};
