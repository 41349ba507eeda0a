import { describeExpansion } from '@dac/spl';
import { splRule } from './spl.js';

/**
 * Macros that Splunk Enterprise Security (not CIM, whose macros dac ships) provides; contentctl
 * ignores them too (MACROS_TO_IGNORE, escu-app-format.md §3.3 item 2). CIM's own macros, e.g.
 * drop_dm_object_name, are defined through @dac/spl builtinMacros().
 */
export const EXTERNAL_MACROS: readonly string[] = ['get_asset', 'get_risk_severity', 'globedistance'];

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
    // ES macros are provided elsewhere; a macro whose own file is unreadable is reported there.
    return (
      d.code === 'undefined-macro' &&
      (EXTERNAL_MACROS.includes(d.macro) || ctx.settings.unreadableMacros.includes(d.macro))
    );
  },
});
