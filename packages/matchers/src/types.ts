import type { PlanRule } from '@dac/cim';

/** A CIM event as the replay engine hands it to a matcher: UNQUALIFIED CIM field names. */
export type CimEvent = Record<string, string | number | string[] | null | undefined>;

/** The tstats plan's rules (@dac/cim), plus `matcher-typecheck`: a generated matcher that does not type-check. */
export type MatcherRule = PlanRule | 'matcher-typecheck' | 'matcher-limit';

/**
 * A problem compiling a matcher: a tstats plan diagnostic (@dac/cim PlanDiagnostic, which also
 * carries its data) or one of the generator's own. Offsets are in the EXPANDED search text.
 */
export interface MatcherDiagnostic {
  start: number;
  end: number;
  severity: 'error' | 'warning';
  rule: MatcherRule | (string & {});
  message: string;
}
