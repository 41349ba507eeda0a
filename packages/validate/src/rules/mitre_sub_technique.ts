import { valuesOf } from '@dac/content';
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
    const list = ctx.detection!.tags.value?.mitre_attack_id;
    if (!list?.value) return [];
    const present = new Set(valuesOf(list));
    const out: Finding[] = [];
    for (const f of list.value) {
      const id = f.value;
      if (id === undefined || id.includes('.')) continue;
      const subs = [...present].filter((s) => s.startsWith(`${id}.`));
      if (subs.length === 0) continue;
      out.push({
        ...ctx.pos(f),
        message: `technique ${id} is listed together with its sub-technique${subs.length > 1 ? 's' : ''} ${subs.join(', ')}; list only the most specific id`,
      });
    }
    return out;
  },
};
