export { validate, UsageError, type ValidateOptions, type ValidationResult } from './validate.js';
export {
  formatText,
  formatJson,
  formatGithub,
  summaryLine,
  escapeGithubData,
  escapeGithubProperty,
  type FormatOptions,
} from './format.js';
export { RULES } from './rules/index.js';
export { SCHEMAS, SCHEMA_RULE, schemaDiagnostics, validators, type SchemaKind } from './schemas.js';
export { loadAttack, parseAttackCsv, type AttackIndex, type AttackTechnique } from './attack.js';
export type { Rule, FileRule, TreeRule, Finding, TreeFinding, FileContext, FileFacts } from './types.js';
