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
    const tags = ctx.detection!.tags.value;
    if (!tags) return [];
    if (ctx.schemaFailed(tags.risk_score) || ctx.schemaFailed(tags.confidence) || ctx.schemaFailed(tags.impact))
      return [];
    const confidence = tags.confidence.value;
    const impact = tags.impact.value;
    const score = tags.risk_score.value;
    if (confidence === undefined || impact === undefined || score === undefined) return [];
    const expected = riskScoreOf(confidence, impact);
    if (score === expected) return [];
    return [
      {
        ...ctx.pos(tags.risk_score),
        message: `tags.risk_score is ${score} but round(confidence ${confidence} × impact ${impact} / 100) = ${expected}`,
      },
    ];
  },
};
