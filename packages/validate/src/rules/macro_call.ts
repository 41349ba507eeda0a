import { splRule } from './spl.js';

/** A macro called with the wrong number of arguments, or macros that expand into each other. */
export const macroCall = splRule({
  id: 'macro-call',
  splRules: ['spl-macro-args', 'spl-macro-cycle'],
  defaultSeverity: 'error',
  description: 'Macro calls have the defined number of arguments and macros do not expand into themselves.',
});
