import type { Finding, FileRule } from '../types.js';

/**
 * contentctl ≥ 5.0.3 rejects a technique listed together with one of its own sub-techniques
 * (e.g. T1059 and T1059.001); 831 ESCU detections do it, so dac warns by default.
 */
export const mitreSubTechnique: FileRule = {
  id: 'mitre-sub-technique',
  scope: 'file',
  kinds: ['detection'],
  defaultSeverity: 'warning',
  description: 'A technique is not listed together with its own sub-technique (newer contentctl rejects it).',
  check(ctx) {
    const ids = (ctx.data.tags as Record<string, unknown> | undefined)?.mitre_attack_id;
    if (!Array.isArray(ids)) return [];
    const present = new Set(ids.filter((x): x is string => typeof x === 'string'));
    const out: Finding[] = [];
    ids.forEach((id, i) => {
      if (typeof id !== 'string' || id.includes('.')) return;
      const subs = [...present].filter((s) => s.startsWith(`${id}.`));
      if (subs.length === 0) return;
      out.push({
        ...ctx.pos(['tags', 'mitre_attack_id', i]),
        message: `technique ${id} is listed together with its sub-technique${subs.length > 1 ? 's' : ''} ${subs.join(', ')}; list only the most specific id`,
      });
    });
    return out;
  },
};
