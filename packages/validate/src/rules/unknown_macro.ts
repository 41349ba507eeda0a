import { describeExpansion, externalMacroSource } from '@dac/spl';
import { splRule } from './spl.js';

/** Every macro the search calls (at any nesting depth) is defined in macros/ or by CIM. */
export const unknownMacro = splRule({
  id: 'unknown-macro',
  splRules: ['spl-undefined-macro'],
  defaultSeverity: 'error',
  description:
    'Every macro the search calls exists in macros/ (or is a CIM macro); `<name>_filter` is implied as `search *`.',
  message(d) {
    if (d.code !== 'undefined-macro') return d.message;
    const hint = d.suggestion ? ` (did you mean \`${d.suggestion}\`?)` : '';
    return `undefined macro \`${d.key}\`: not defined in macros/ nor by CIM${hint}${describeExpansion(d.expandedFrom)}`;
  },
  skip(d, ctx) {
    // Add-on macros (@dac/spl EXTERNAL_MACROS) are provided elsewhere; a macro whose own file is unreadable is reported there.
    return (
      d.code === 'undefined-macro' &&
      (externalMacroSource(d.macro) !== undefined || ctx.settings.unreadableMacros.includes(d.macro))
    );
  },
});
