import { riskScoreOf } from '@dac/content';
import type { FileRule } from '../types.js';

/** contentctl 4.x: `risk_score = round(confidence × impact / 100)` (escu-app-format.md §3.4). */
export const riskScore: FileRule = {
  id: 'risk-score',
  scope: 'file',
  kinds: ['detection'],
  defaultSeverity: 'error',
  description: 'tags.risk_score equals round(confidence × impact / 100), rounded as Python does (half to even).',
  check(ctx) {
    const tags = ctx.data.tags as Record<string, unknown> | undefined;
    if (!tags || typeof tags !== 'object') return [];
    const { confidence, impact, risk_score: score } = tags;
    if (
      score === undefined ||
      ctx.schemaFailed(['tags', 'risk_score']) ||
      ctx.schemaFailed(['tags', 'confidence']) ||
      ctx.schemaFailed(['tags', 'impact'])
    )
      return [];
    if (typeof confidence !== 'number' || typeof impact !== 'number' || typeof score !== 'number') return [];
    const expected = riskScoreOf(confidence, impact);
    if (score === expected) return [];
    return [
      {
        ...ctx.pos(['tags', 'risk_score']),
        message: `tags.risk_score is ${score} but round(confidence ${confidence} × impact ${impact} / 100) = ${expected}`,
      },
    ];
  },
};
