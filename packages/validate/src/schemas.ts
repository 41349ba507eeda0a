import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { positionOfPath, type ContentKind, type Diagnostic, type PathSegment, type YamlFile } from '@dac/content';
// The schemas are the published files in schemas/ (what editors use); bundlers inline them.
import detectionSchema from '../../../schemas/detection.schema.json';
import macroSchema from '../../../schemas/macro.schema.json';
import storySchema from '../../../schemas/story.schema.json';
import dataSourceSchema from '../../../schemas/data_source.schema.json';
import lookupSchema from '../../../schemas/lookup.schema.json';
import configSchema from '../../../schemas/config.schema.json';

export type SchemaKind = ContentKind | 'config';

export const SCHEMAS: Record<SchemaKind, Record<string, unknown>> = {
  detection: detectionSchema,
  macro: macroSchema,
  story: storySchema,
  data_source: dataSourceSchema,
  lookup: lookupSchema,
  config: configSchema,
};

/** Rule id of every schema diagnostic (overridable like any rule, though turning it off is unwise). */
export const SCHEMA_RULE = 'schema';

// ajv-formats is CommonJS with a default export; under ESM interop it may arrive wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020, formats?: string[]) => Ajv2020;

let compiled: Record<SchemaKind, ValidateFunction> | undefined;

/** Compiles every schema once per thread (strict mode, all errors, formats). */
export function validators(): Record<SchemaKind, ValidateFunction> {
  if (compiled) return compiled;
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true, verbose: true });
  addFormats(ajv, ['uuid', 'email', 'date']);
  // Editor-facing message for a failed `pattern` (VS Code / yaml-language-server read it); we use it too.
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  const out = {} as Record<SchemaKind, ValidateFunction>;
  for (const [kind, schema] of Object.entries(SCHEMAS) as [SchemaKind, Record<string, unknown>][]) out[kind] = ajv.compile(schema);
  compiled = out;
  return out;
}

/** Validates a document value against the schema of its kind; every error positioned in the file. */
export function schemaDiagnostics(file: YamlFile, value: unknown, kind: SchemaKind): Diagnostic[] {
  return schemaErrors(file, value, kind).diagnostics;
}

/** Like schemaDiagnostics, also returning the raw ajv errors (rules skip values the schema rejected). */
export function schemaErrors(file: YamlFile, value: unknown, kind: SchemaKind): { diagnostics: Diagnostic[]; errors: ErrorObject[] } {
  const validate = validators()[kind];
  if (validate(value)) return { diagnostics: [], errors: [] };
  const errors = validate.errors ?? [];
  return { diagnostics: errorsToDiagnostics(file, errors), errors };
}

/** JSON Pointer (`/tags/observable/0/name`) → path segments. */
export function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => {
    const k = s.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^(0|[1-9][0-9]*)$/.test(k) ? Number(k) : k;
  });
}

function describePath(path: PathSegment[]): string {
  if (path.length === 0) return 'the document';
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s ? `.${seg}` : seg;
  return s;
}

function show(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'mapping';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const TYPE_WORDS: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'a string', integer: 'an integer', number: 'a number', boolean: 'a boolean (true/false)', null: 'null' };

/**
 * Turns ajv errors into diagnostics positioned at the offending key or value:
 * unknown key → the key; wrong type/enum/format/pattern/range → the value; missing required key →
 * the parent mapping's key (or the document start at top level).
 */
export function errorsToDiagnostics(file: YamlFile, errors: ErrorObject[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const path = pointerToPath(e.instancePath);
    const where = describePath(path);
    let pos: { line: number; column: number };
    let message: string;
    const p = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String(p.additionalProperty);
        const keyPath = [...path, key];
        pos = positionOfPath(file, keyPath, 'key');
        const allowed = Object.keys(((e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties) ?? {});
        const suggestion = closest(key, allowed);
        message = `unknown key "${key}" in ${where}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; allowed keys: ${allowed.join(', ')}`;
        break;
      }
      case 'required': {
        // The parent mapping's key (e.g. `tags:`); a missing top-level key points at the document start.
        pos = path.length ? positionOfPath(file, path, 'key') : positionOfPath(file, [], 'value');
        message = `missing required key "${String(p.missingProperty)}" in ${where}`;
        break;
      }
      case 'type': {
        pos = positionOfPath(file, path, 'value');
        const want = String(p.type).split(',').map((t) => TYPE_WORDS[t] ?? t).join(' or ');
        message = `${where} must be ${want}, got ${e.data !== null && typeof e.data === 'object' ? show(e.data) : `${typeName(e.data)} ${show(e.data)}`}`;
        break;
      }
      case 'enum': {
        pos = positionOfPath(file, path, 'value');
        const allowed = (p.allowedValues as unknown[]).map((v) => JSON.stringify(v));
        const suggestion = typeof e.data === 'string' ? closest(e.data, (p.allowedValues as unknown[]).map(String)) : undefined;
        message = `${where} must be one of ${allowed.join(', ')}; got ${show(e.data)}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
        break;
      }
      case 'format': {
        pos = positionOfPath(file, path, 'value');
        const fmt = String(p.format);
        const human = fmt === 'uuid' ? 'a UUID (8-4-4-4-12 hexadecimal digits, e.g. e2549f2c-0aef-408a-b0c1-e0f270623436)' : fmt === 'email' ? 'an e-mail address' : `a valid ${fmt}`;
        message = `${where} must be ${human}; got ${show(e.data)}`;
        break;
      }
      case 'pattern': {
        pos = positionOfPath(file, path, 'value');
        const custom = (e.parentSchema as { patternErrorMessage?: string } | undefined)?.patternErrorMessage;
        message = `${where}: ${custom ?? `must match /${String(p.pattern)}/`}; got ${show(e.data)}`;
        break;
      }
      case 'minLength':
        pos = positionOfPath(file, path, 'value');
        message = Number(p.limit) === 1 ? `${where} must not be empty` : `${where} must be at least ${String(p.limit)} characters long`;
        break;
      case 'maxLength':
        pos = positionOfPath(file, path, 'value');
        message = `${where} must be at most ${String(p.limit)} characters long (it has ${typeof e.data === 'string' ? e.data.length : '?'})`;
        break;
      case 'minItems':
        pos = positionOfPath(file, path, 'value');
        message = `${where} must have at least ${String(p.limit)} item${Number(p.limit) === 1 ? '' : 's'}`;
        break;
      case 'maxItems':
        pos = positionOfPath(file, path, 'value');
        message = `${where} must have at most ${String(p.limit)} item${Number(p.limit) === 1 ? '' : 's'}`;
        break;
      case 'minimum':
      case 'maximum':
        pos = positionOfPath(file, path, 'value');
        message = `${where} must be ${e.keyword === 'minimum' ? '≥' : '≤'} ${String(p.limit)}; got ${show(e.data)}`;
        break;
      default:
        pos = positionOfPath(file, path, 'value');
        message = `${where} ${e.message ?? 'is invalid'}`;
    }
    const key = `${pos.line}:${pos.column}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ file: file.relPath, line: pos.line, column: pos.column, severity: 'error', rule: SCHEMA_RULE, message });
  }
  return out;
}

/** Closest candidate by edit distance (≤ a third of the word), for "did you mean" hints. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(word.length / 3)) + 1;
  const lw = word.toLowerCase();
  for (const c of candidates) {
    if (Math.abs(c.length - word.length) >= bestD) continue;
    const d = editDistance(lw, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
