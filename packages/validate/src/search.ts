import type { Diagnostic, Position } from '@dac/content';

/**
 * A detection's search as the SPL-backed rules see it: parsed once per file (lazily) and shared.
 * Built from @dac/spl (parse, macro expansion, output fields) and @dac/cim (data models).
 */
export interface SearchAnalysis {
  /** Position in the YAML file of a character of the ORIGINAL search string. */
  position(offset: number): Position;
  /** SPL problems (syntax, undefined macros, unknown data-model fields), positioned in the YAML file. */
  diagnostics: Diagnostic[];
}
