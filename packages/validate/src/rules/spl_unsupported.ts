import { splRule } from './spl.js';

/**
 * Searches beyond the SPL front end's safety limits: macro nesting deeper than 64, macro expansion
 * beyond 1,000,000 characters, subsearches or expressions nested deeper than the parser allows.
 * Real content never comes close, so reaching a limit is treated as a defect (an expansion bomb,
 * a runaway macro).
 */
export const splUnsupported = splRule({
  id: 'spl-unsupported',
  splRules: ['spl-unsupported'],
  defaultSeverity: 'error',
  description:
    "The search stays within the SPL analyser's limits (macro nesting/expansion size, subsearch/expression depth).",
});
