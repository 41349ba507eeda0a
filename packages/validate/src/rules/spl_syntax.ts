import { splRule } from './spl.js';

/** SPL that does not parse (unbalanced quotes, brackets, a tstats without aggregates, …). */
export const splSyntax = splRule({
  id: 'spl-syntax',
  splRules: ['spl-syntax'],
  defaultSeverity: 'error',
  description: 'The search (after macro expansion) is syntactically valid SPL.',
});
