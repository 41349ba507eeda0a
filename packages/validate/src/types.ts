import type {
  ContentKind,
  ContentModel,
  DacConfig,
  Detection,
  Diagnostic,
  Field,
  Lookup,
  PathSegment,
  Position,
  Severity,
  YamlFile,
  YamlLimits,
} from '@dac/content';
import type { MacroDefinition } from '@dac/spl';
import type { AttackIndex } from './attack.js';
import type { SearchAnalysis } from './search.js';

/** A problem a rule found; severity and rule id are added by the runner (config may override). */
export interface Finding {
  line: number;
  column: number;
  message: string;
  /**
   * `warning` when the finding is milder than the rule's default (the SPL front end's warnings,
   * e.g. a generating command without its leading `|`, stay warnings); default: the rule's.
   */
  severity?: 'warning';
}

/** A finding of a tree rule, which may concern any file. */
export interface TreeFinding extends Finding {
  file: string;
}

/** Settings every thread needs to check one file (small and structured-cloneable for workers). */
export interface SharedSettings {
  root: string;
  /** Stanza label (`ESCU`), for the stanza-length rule. */
  label: string;
  /** Macro definitions of the whole tree, for SPL expansion. */
  macros: MacroDefinition[];
  /**
   * File stems of macro files whose YAML could not be read: calls to a macro of that name are
   * not reported as undefined (the file already carries its own error).
   */
  unreadableMacros: string[];
  /** Limits on reading content files (`limits:` in dac.config.yaml); default DEFAULT_LIMITS. */
  limits?: YamlLimits;
}

/** A field of the content model or a path in the document. */
export type Where = Field<unknown> | readonly PathSegment[];

/** What a file rule sees: one loaded, schema-checked file. */
export interface FileContext {
  kind: ContentKind;
  file: YamlFile;
  /** The document's typed model (@dac/content); a field has no value where its type is wrong (the schema says so). */
  document: ContentModel;
  /** The model, when the file is a detection. */
  detection: Detection | undefined;
  /** The model, when the file is a lookup. */
  lookup: Lookup | undefined;
  settings: SharedSettings;
  attack(): AttackIndex;
  /** Position of a field's key or value (a missing one → its closest ancestor). */
  pos(at: Where, which?: 'key' | 'value'): Position;
  /** Position of character `offset` of a string field's value (e.g. a `$token$` in a message). */
  posInValue(at: Where, offset: number): Position;
  /** The detection's search, parsed once and shared between rules (undefined when not a detection or SPL is unavailable). */
  search(): SearchAnalysis | undefined;
  /** True when the schema reported an error at this field or an ancestor: rules skip such values. */
  schemaFailed(at: Where): boolean;
}

export interface RuleBase {
  /** Stable id, printed as `[id]` and used as key in dac.config.yaml `rules:`. */
  id: string;
  defaultSeverity: Severity;
  description: string;
}

/** A rule that judges one file by itself. */
export interface FileRule extends RuleBase {
  scope: 'file';
  kinds: readonly ContentKind[];
  check(ctx: FileContext): Finding[];
}

/** Per-file summary every tree rule can use (collected for every file, reported or not). */
export interface FileFacts {
  file: string;
  kind: ContentKind;
  /** Whether diagnostics of this file are reported (PATH narrowing). */
  reported: boolean;
  name?: { value: string; line: number; column: number };
  id?: { value: string; line: number; column: number };
  /** The YAML could not be read as a mapping: its name is unknown, references to its file stem are not reported. */
  unreadable?: boolean;
  /** Lookup YAMLs: the CSV file name, which `inputlookup x.csv` may use instead of the name. */
  filename?: string;
  /** Facts each tree rule collected from this file, by rule id (only for reported files). */
  collected: Record<string, unknown>;
}

export interface TreeContext<F> {
  files: FileFacts[];
  /** Non-YAML files under lookups/ (relative paths). */
  lookupFiles: string[];
  /** Whether diagnostics of this file (relative path) are reported (PATH narrowing). */
  isReported(relPath: string): boolean;
  /** Files of one kind. */
  ofKind(kind: ContentKind): FileFacts[];
  /**
   * Whether a name of this kind exists, or might: a file of this kind whose YAML is unreadable
   * and whose stem is snake_case(name) already carries its own error, so a reference to it is not
   * reported a second time.
   */
  nameExists(kind: ContentKind, name: string): boolean;
  /** This rule's collected facts per reported file. */
  collected(): { facts: FileFacts; value: F }[];
}

/**
 * A rule over the whole tree (uniqueness, references). `collect` runs per file, in whatever thread
 * loaded it, and returns small cloneable facts; `check` runs once in the main thread.
 */
export interface TreeRule<F = unknown> extends RuleBase {
  scope: 'tree';
  kinds: readonly ContentKind[];
  collect?(ctx: FileContext): F | undefined;
  check(ctx: TreeContext<F>): TreeFinding[];
}

// biome-ignore lint/suspicious/noExplicitAny: a rule list holds tree rules of every state type
export type Rule = FileRule | TreeRule<any>;

export type { Diagnostic, DacConfig };
