import type { Finding, FileRule } from '../types.js';

/** Every tags.mitre_attack_id is a technique or sub-technique in the offline ATT&CK data. */
export const mitreAttackId: FileRule = {
  id: 'mitre-attack-id',
  scope: 'file',
  kinds: ['detection'],
  defaultSeverity: 'error',
  description: 'Every tags.mitre_attack_id exists in MITRE ATT&CK (schemas/attack/mitre_enrichment.csv).',
  check(ctx) {
    const ids = (ctx.data.tags as Record<string, unknown> | undefined)?.mitre_attack_id;
    if (!Array.isArray(ids)) return [];
    const attack = ctx.attack();
    const out: Finding[] = [];
    ids.forEach((id, i) => {
      if (typeof id !== 'string' || ctx.schemaFailed(['tags', 'mitre_attack_id', i])) return;
      if (attack.get(id)) return;
      const parent = id.includes('.') ? attack.get(id.slice(0, 5)) : undefined;
      const hint = parent ? ` (technique ${parent.id} "${parent.name}" exists, but not this sub-technique)` : '';
      out.push({ ...ctx.pos(['tags', 'mitre_attack_id', i]), message: `unknown MITRE ATT&CK id "${id}"${hint}` });
    });
    return out;
  },
};
