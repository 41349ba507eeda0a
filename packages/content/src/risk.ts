/**
 * Python's `round(numerator / denominator)`: halves go to the even neighbour (contentctl computes
 * in Python; `round(12.5) == 12`, `round(13.5) == 14`). Exact for integer ratios such as
 * confidence × impact / 100; `pythonRound(x)` rounds a float.
 */
export function pythonRound(numerator: number, denominator = 1): number {
  const q = Math.floor(numerator / denominator);
  const r2 = 2 * (numerator - q * denominator);
  if (r2 > denominator) return q + 1;
  if (r2 < denominator) return q;
  return q % 2 === 0 ? q : q + 1;
}

/** contentctl 4.x: `risk_score = round(confidence × impact / 100)` (escu-app-format.md §3.4). */
export function riskScoreOf(confidence: number, impact: number): number {
  return pythonRound(confidence * impact, 100);
}
