import type { FileRule } from '../types.js';

/**
 * Python's round(): halves go to the even neighbour (contentctl computes the score in Python,
 * e.g. round(12.5) == 12). Exact for the integer products confidence*impact.
 */
export function pythonRound(numerator: number, denominator: number): number {
  const q = Math.floor(numerator / denominator);
  const r2 = 2 * (numerator - q * denominator);
  if (r2 > denominator) return q + 1;
  if (r2 < denominator) return q;
  return q % 2 === 0 ? q : q + 1;
}

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
    const expected = pythonRound(confidence * impact, 100);
    if (score === expected) return [];
    return [
      {
        ...ctx.pos(['tags', 'risk_score']),
        message: `tags.risk_score is ${score} but round(confidence ${confidence} × impact ${impact} / 100) = ${expected}`,
      },
    ];
  },
};
