import { readConfinedFile } from '@dac/fs';
import {
  documentValue,
  loadItem,
  positionOfPath,
  type ContentEntry,
  type ContentItem,
  type Diagnostic,
  type YamlFile,
  MAX_YAML_BYTES,
} from '@dac/content';
import { createFileContext } from './context.js';
import { RULES } from './rules/index.js';
import { pointerToPath, schemaErrors } from './schemas.js';
import { analyzeSearch } from './search.js';
import type { FileFacts, SharedSettings } from './types.js';

export const INTERNAL_RULE = 'internal';

export interface FileResult {
  diagnostics: Diagnostic[];
  facts: FileFacts;
}

export interface CheckOptions {
  settings: SharedSettings;
  reported: boolean;
  /** Enabled rule ids: rules set to `off` are skipped entirely (no work, no facts). */
  enabled: (ruleId: string) => boolean;
}

/** Loads one content file and runs every per-file check on it. */
export function checkEntry(entry: ContentEntry, o: CheckOptions): FileResult & { item: ContentItem } {
  const item = loadItem(entry, o.settings.root, o.settings.limits);
  return { item, ...checkItem(item, o) };
}

/**
 * Checks a loaded file: YAML problems, schema, file rules, and the facts tree rules need.
 * Never throws: a failing rule becomes an `internal` diagnostic naming the rule.
 */
export function checkItem(item: ContentItem, o: CheckOptions): FileResult {
  const file = item.file;
  const facts: FileFacts = { file: file.relPath, kind: item.kind, reported: o.reported, collected: {} };
  const diagnostics: Diagnostic[] = o.reported ? yamlDiagnostics(file) : [];
  const value = documentValue(file);
  const model = item.model;
  if (!model) facts.unreadable = true;
  else {
    if (model.name.value !== undefined) facts.name = { value: model.name.value, ...positionOfPath(file, ['name']) };
    if (model.id.value !== undefined) facts.id = { value: model.id.value, ...positionOfPath(file, ['id']) };
    if (model.kind === 'lookup' && model.filename.value !== undefined) facts.filename = model.filename.value;
  }
  if (!o.reported || value === undefined) return { diagnostics, facts };

  const schemaPaths = new Set<string>();
  if (o.enabled('schema')) {
    const { diagnostics: sd, errors } = schemaErrors(file, value, item.kind);
    diagnostics.push(...sd);
    for (const e of errors) {
      const path = pointerToPath(e.instancePath);
      // An unknown or missing key says nothing about the mapping's other values: mark only the key.
      if (e.keyword === 'additionalProperties')
        schemaPaths.add([...path, String((e.params as { additionalProperty: string }).additionalProperty)].join('\0'));
      else if (e.keyword !== 'required') schemaPaths.add(path.join('\0'));
    }
  }
  if (!model) return { diagnostics, facts };

  const ctx = createFileContext({
    kind: item.kind,
    file,
    document: model,
    settings: o.settings,
    schemaErrorPaths: schemaPaths,
    analyzeSearch,
  });
  for (const rule of RULES) {
    if (!rule.kinds.includes(item.kind) || !o.enabled(rule.id)) continue;
    try {
      if (rule.scope === 'file') {
        for (const f of rule.check(ctx))
          diagnostics.push({
            file: file.relPath,
            line: f.line,
            column: f.column,
            severity: f.severity ?? rule.defaultSeverity,
            rule: rule.id,
            message: f.message,
          });
      } else if (rule.collect) {
        const v = rule.collect(ctx);
        if (v !== undefined) facts.collected[rule.id] = v;
      }
    } catch (e) {
      diagnostics.push({
        file: file.relPath,
        line: 1,
        column: 1,
        severity: 'error',
        rule: INTERNAL_RULE,
        message: `rule ${rule.id} failed on this file: ${(e as Error).message}`,
      });
    }
  }
  return { diagnostics, facts };
}

/**
 * The loader's YAML diagnostics, minus the cascade after a syntax error: once the parser is lost
 * (an unclosed quote) every following line yields an error; the first one is the real defect.
 */
function yamlDiagnostics(file: YamlFile): Diagnostic[] {
  const firstSyntax = file.diagnostics.find((d) => d.rule === 'yaml-syntax' && d.severity === 'error');
  if (!firstSyntax) return [...file.diagnostics];
  return file.diagnostics.filter(
    (d) =>
      d === firstSyntax || d.line < firstSyntax.line || (d.line === firstSyntax.line && d.column < firstSyntax.column),
  );
}

/**
 * Name, id (and lookup file name) of a file whose own diagnostics are not reported, read from its
 * top-level `key: value` lines without parsing the YAML. Falls back to a full parse when a value
 * is not a simple one-line scalar (block scalars, anchors, tags, flow collections).
 */
export function quickFacts(entry: ContentEntry, root: string): FileResult {
  const facts: FileFacts = { file: entry.relPath, kind: entry.kind, reported: false, collected: {} };
  let text: string;
  try {
    text = readConfinedFile(root, entry.path, { maxBytes: MAX_YAML_BYTES }).toString('utf8');
  } catch {
    return { diagnostics: [], facts };
  }
  const keys = entry.kind === 'lookup' ? ['name', 'id', 'filename'] : ['name', 'id'];
  const found: Record<string, { value: string; line: number; column: number }> = {};
  for (const key of keys) {
    const m = new RegExp(`^${key}:[ \\t]*(.*)$`, 'm').exec(text);
    if (!m) continue;
    const value = simpleScalar(m[1]!);
    if (value === undefined) return slowFacts(entry, root);
    const offset = m.index + m[0].length - m[1]!.length;
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    found[key] = { value, line, column: offset - before.lastIndexOf('\n') };
  }
  if (!found.name) return slowFacts(entry, root);
  facts.name = found.name;
  if (found.id) facts.id = found.id;
  if (found.filename) facts.filename = found.filename.value;
  return { diagnostics: [], facts };
}

/** The value of a one-line plain or quoted scalar, or undefined when it is anything else. */
function simpleScalar(raw: string): string | undefined {
  const v = raw.replace(/[ \t]+#.*$/, '').trimEnd();
  if (v === '') return undefined;
  if (v.startsWith("'")) return v.length > 1 && v.endsWith("'") ? v.slice(1, -1).replace(/''/g, "'") : undefined;
  if (v.startsWith('"')) {
    try {
      const s = JSON.parse(v) as unknown;
      return typeof s === 'string' ? s : undefined;
    } catch {
      return undefined;
    }
  }
  return /^[|>&*![{%@`]/.test(v) ? undefined : v;
}

function slowFacts(entry: ContentEntry, root: string): FileResult {
  const settings: SharedSettings = { root, label: '', macros: [], unreadableMacros: [] };
  return checkItem(loadItem(entry, root), { settings, reported: false, enabled: () => true });
}
