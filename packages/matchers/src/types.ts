import type { PlanDiagnostic, PlanRule } from '@dac/cim';

/** A CIM event as the replay engine hands it to a matcher: UNQUALIFIED CIM field names. */
export type CimEvent = Record<string, string | number | string[] | null | undefined>;

/** The tstats plan's rules (@dac/cim), plus `matcher-typecheck`: a generated matcher that does not type-check. */
export type MatcherRule = PlanRule | 'matcher-typecheck';

/** A problem compiling a matcher; offsets are in the EXPANDED search text (the AST spans' text). */
export interface MatcherDiagnostic extends Omit<PlanDiagnostic, 'rule'> {
  rule: MatcherRule | (string & {});
}
