import type { Severity } from '@dac/content';
import type { SplDiagnostic } from '@dac/spl';
import type { FileContext, Finding, FileRule } from '../types.js';

/**
 * Rules that report what the SPL front end (@dac/spl parseSearch: macro expansion + parser) found,
 * one rule per SPL diagnostic kind, so each can be configured on its own. Offsets of SPL
 * diagnostics are in the original search string; they are reported at that character of the YAML.
 */
export function splRule(o: {
  id: string;
  splRules: readonly string[];
  defaultSeverity: Severity;
  description: string;
  skip?: (d: SplDiagnostic, ctx: FileContext) => boolean;
  /** The message to report (default: the SPL diagnostic's own). */
  message?: (d: SplDiagnostic, ctx: FileContext) => string;
}): FileRule {
  return {
    id: o.id,
    scope: 'file',
    kinds: ['detection'],
    defaultSeverity: o.defaultSeverity,
    description: o.description,
    check(ctx) {
      const search = ctx.search();
      if (!search) return [];
      const out: Finding[] = [];
      for (const d of search.parsed.diagnostics) {
        if (!o.splRules.includes(d.rule) || o.skip?.(d, ctx)) continue;
        out.push({
          ...search.position(d.start),
          message: o.message ? o.message(d, ctx) : d.message,
          ...(d.severity === 'warning' ? { severity: 'warning' as const } : {}),
        });
      }
      return out;
    },
  };
}
