import { filterMacroName } from '@dac/content';
import type { FileRule } from '../types.js';

/**
 * contentctl FORCE_FILTER_MACRO: every search contains `` `<snake_name>_filter` `` so users can
 * tune it without editing the detection. A substring check, as contentctl does; when the macro is
 * missing no SPL position exists, so the diagnostic points at the search value.
 */
export const filterMacro: FileRule = {
  id: 'filter-macro',
  scope: 'file',
  kinds: ['detection'],
  defaultSeverity: 'error',
  description: "The search contains the detection's `<snake_case_name>_filter` macro.",
  check(ctx) {
    const d = ctx.detection!;
    const name = d.name.value;
    const search = d.search.value;
    if (name === undefined || search === undefined || ctx.schemaFailed(d.name) || ctx.schemaFailed(d.search)) return [];
    const macro = filterMacroName(name);
    if (search.includes(`\`${macro}\``)) return [];
    const other = /`([A-Za-z0-9_]+_filter)`/.exec(search);
    const hint = other
      ? `; it calls \`${other[1]}\` instead (is the name or the macro out of date?)`
      : `; append "| \`${macro}\`"`;
    return [{ ...ctx.pos(d.search), message: `search does not contain the filter macro \`${macro}\`${hint}` }];
  },
};
