import type { Finding, FileRule } from '../types.js';

/** Every tags.mitre_attack_id is a technique or sub-technique in the offline ATT&CK data. */
export const mitreAttackId: FileRule = {
  id: 'mitre-attack-id',
  scope: 'file',
  kinds: ['detection'],
  defaultSeverity: 'error',
  description: 'Every tags.mitre_attack_id exists in MITRE ATT&CK (schemas/attack/mitre_enrichment.csv).',
  check(ctx) {
    const ids = ctx.detection!.tags.value?.mitre_attack_id.value;
    if (!ids) return [];
    const attack = ctx.attack();
    const out: Finding[] = [];
    for (const f of ids) {
      const id = f.value;
      if (id === undefined || ctx.schemaFailed(f) || attack.get(id)) continue;
      const parent = id.includes('.') ? attack.get(id.slice(0, 5)) : undefined;
      const hint = parent ? ` (technique ${parent.id} "${parent.name}" exists, but not this sub-technique)` : '';
      out.push({ ...ctx.pos(f), message: `unknown MITRE ATT&CK id "${id}"${hint}` });
    }
    return out;
  },
};
