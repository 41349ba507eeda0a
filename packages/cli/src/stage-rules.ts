/**
 * Rule ids that stages after validation report and that `rules:` of dac.config.yaml can set
 * (each of these stages applies the setting to what it prints): `dac compile` (matchers and the
 * tstats plan) and `dac version-check` / `dac ci`. validate accepts them in the config without an
 * unknown-rule warning (ValidateOptions.otherRules).
 */
export const STAGE_RULES: readonly string[] = [
  'matcher-unsupported',
  'matcher-typecheck',
  'datamodel-unknown',
  'version-bump',
  'version-date',
  'version-id',
  'version-removed',
  'changeset',
];
