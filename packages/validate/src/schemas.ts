import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import * as precompiled from './generated/validators.generated.js';
import { positionOfPath, type ContentKind, type Diagnostic, type PathSegment, type YamlFile } from '@dac/content';
import { closestName } from '@dac/spl';
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

// ajv is loaded only when schemas must be compiled (stale precompiled code, code generation):
// a normal run uses the precompiled validators and never pays for loading the compiler.
const requireCjs = createRequire(import.meta.url);
const unwrap = <T>(m: unknown): T => ((m as { default?: unknown }).default ?? m) as T;

/** Options shared by the runtime compiler and the standalone code generator (they must agree). */
const AJV_OPTIONS = { strict: true, allowUnionTypes: true, allErrors: true, verbose: true } as const;

/** An ajv with dac's options, formats and extra keywords (the code generator passes `code`). */
export function newAjv(code?: Record<string, unknown>): Ajv2020 {
  const { Ajv2020: AjvClass } = requireCjs('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const addFormats = unwrap<(ajv: Ajv2020, formats?: string[]) => Ajv2020>(requireCjs('ajv-formats'));
  const ajv = new AjvClass({ ...AJV_OPTIONS, ...(code ? { code } : {}) });
  addFormats(ajv, ['uuid', 'email', 'date']);
  // Editor-facing message for a failed `pattern` (VS Code / yaml-language-server read it); we use it too.
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  // Editor-only annotations (VS Code JSON / yaml-language-server extensions, not JSON Schema):
  // completion snippets and per-value hover texts. Registered without a validate function, so
  // they never accept or reject a document; their metaSchemas make ajv reject a malformed use in
  // a schema (strict mode would reject the unknown keywords themselves).
  ajv.addKeyword({ keyword: 'defaultSnippets', metaSchema: DEFAULT_SNIPPETS_META });
  ajv.addKeyword({ keyword: 'enumDescriptions', metaSchema: { type: 'array', items: { type: 'string' } } });
  return ajv;
}

/** Shape of a `defaultSnippets` entry as yaml-language-server reads it (src/languageservice/jsonSchema.ts). */
const DEFAULT_SNIPPETS_META = {
  type: 'array',
  items: {
    type: 'object',
    required: ['label'],
    additionalProperties: false,
    properties: {
      label: { type: 'string', minLength: 1 },
      description: { type: 'string' },
      markdownDescription: { type: 'string' },
      body: {},
      bodyText: { type: 'string' },
    },
  },
} as const;

/** Source of ajv runtime helpers referenced by generated code (same semantics as ajv/dist/runtime). */
const RUNTIME_HELPERS: Record<string, string> = {
  // Length in Unicode code points (a surrogate pair counts once), for minLength/maxLength.
  'ajv/dist/runtime/ucs2length':
    '(function ucs2length(str) { const len = str.length; let length = 0; let pos = 0; while (pos < len) { length++; const value = str.charCodeAt(pos++); if (value >= 0xd800 && value <= 0xdbff && pos < len) { const next = str.charCodeAt(pos); if ((next & 0xfc00) === 0xdc00) pos++; } } return length; })',
};

/** Hash of the schema texts: the precompiled validators are used only when it matches. */
export function schemasHash(): string {
  return createHash('sha256').update(JSON.stringify(SCHEMAS)).digest('hex').slice(0, 16);
}

/**
 * ES-module source of all six validators, precompiled by ajv's standalone code generator, so a run
 * does not pay ~100–150 ms per thread compiling schemas. Written to src/generated/validators.generated.ts
 * (see schemas-generated.test.ts: `DAC_UPDATE_GENERATED=1 npx vitest run packages/validate/src/schemas-generated.test.ts`).
 */
export function standaloneValidatorsSource(): string {
  const ajv = newAjv({ source: true, esm: true });
  for (const [kind, schema] of Object.entries(SCHEMAS)) ajv.addSchema(schema, kind);
  const standaloneCode = unwrap<(ajv: Ajv2020, refs: Record<string, string>) => string>(
    requireCjs('ajv/dist/standalone/index.js'),
  );
  let code = standaloneCode(ajv, Object.fromEntries(Object.keys(SCHEMAS).map((k) => [k, k])));
  // ajv emits require() of its runtime helpers even in ESM mode, and CommonJS default-import
  // interop differs between Node and bundlers; inline the helpers instead.
  code = code.replace(/require\("([^"]+)"\)\.default/g, (_m, mod: string) => {
    const inline = RUNTIME_HELPERS[mod];
    if (!inline) throw new Error(`ajv standalone code needs ${mod}; add it to RUNTIME_HELPERS`);
    return inline;
  });
  if (code.includes('require(')) throw new Error('ajv standalone code still contains require()');
  return [
    '// @ts-nocheck',
    '// GENERATED by @dac/validate standaloneValidatorsSource() from schemas/*.schema.json. Do not edit.',
    '// Regenerate: DAC_UPDATE_GENERATED=1 npx vitest run packages/validate/src/schemas-generated.test.ts',
    `export const SCHEMAS_HASH = ${JSON.stringify(schemasHash())};`,
    code.replace(/^"use strict";/, ''),
    '',
  ].join('\n');
}

let compiled: Record<SchemaKind, ValidateFunction> | undefined;

/**
 * The validators, once per thread: the precompiled ones when they match the schemas, else compiled
 * now (strict mode, all errors, formats).
 */
export function validators(): Record<SchemaKind, ValidateFunction> {
  if (compiled) return compiled;
  if (precompiled.SCHEMAS_HASH === schemasHash()) {
    const table = precompiled as unknown as Record<string, ValidateFunction>;
    compiled = Object.fromEntries(Object.keys(SCHEMAS).map((k) => [k, table[k]!])) as Record<
      SchemaKind,
      ValidateFunction
    >;
    return compiled;
  }
  const ajv = newAjv();
  const out = {} as Record<SchemaKind, ValidateFunction>;
  for (const [kind, schema] of Object.entries(SCHEMAS) as [SchemaKind, Record<string, unknown>][])
    out[kind] = ajv.compile(schema);
  compiled = out;
  return out;
}

/** Compiles the schemas now, ignoring the precompiled code (tests compare both). */
export function compileValidators(): Record<SchemaKind, ValidateFunction> {
  const ajv = newAjv();
  const out = {} as Record<SchemaKind, ValidateFunction>;
  for (const [kind, schema] of Object.entries(SCHEMAS) as [SchemaKind, Record<string, unknown>][])
    out[kind] = ajv.compile(schema);
  return out;
}

/** Validates a document value against the schema of its kind; every error positioned in the file. */
export function schemaDiagnostics(file: YamlFile, value: unknown, kind: SchemaKind): Diagnostic[] {
  return schemaErrors(file, value, kind).diagnostics;
}

/** Like schemaDiagnostics, also returning the raw ajv errors (rules skip values the schema rejected). */
export function schemaErrors(
  file: YamlFile,
  value: unknown,
  kind: SchemaKind,
): { diagnostics: Diagnostic[]; errors: ErrorObject[] } {
  const validate = validators()[kind];
  if (validate(value)) return { diagnostics: [], errors: [] };
  const errors = validate.errors ?? [];
  return { diagnostics: errorsToDiagnostics(file, errors), errors };
}

/** JSON Pointer (`/tags/observable/0/name`) → path segments. */
export function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => {
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

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true/false)',
  null: 'null',
};

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
        const allowed = Object.keys(
          (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {},
        );
        const suggestion = closestName(key, allowed);
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
        const want = String(p.type)
          .split(',')
          .map((t) => TYPE_WORDS[t] ?? t)
          .join(' or ');
        message = `${where} must be ${want}, got ${e.data !== null && typeof e.data === 'object' ? show(e.data) : `${typeName(e.data)} ${show(e.data)}`}`;
        break;
      }
      case 'enum': {
        pos = positionOfPath(file, path, 'value');
        message = enumMessage(where, p.allowedValues as unknown[], e.data, e.parentSchema);
        break;
      }
      case 'format': {
        pos = positionOfPath(file, path, 'value');
        const fmt = String(p.format);
        const human =
          fmt === 'uuid'
            ? 'a UUID (8-4-4-4-12 hexadecimal digits, e.g. e2549f2c-0aef-408a-b0c1-e0f270623436)'
            : fmt === 'email'
              ? 'an e-mail address'
              : `a valid ${fmt}`;
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
        message =
          Number(p.limit) === 1
            ? `${where} must not be empty`
            : `${where} must be at least ${String(p.limit)} characters long`;
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

/** Longer enums (asset_type has 44 values) are summarised in a message rather than listed in full. */
const ENUM_LISTED_IN_FULL = 8;

/**
 * `x must be one of …; got …`, with a did-you-mean for a near miss (a value differing only in
 * case is named as such: ESCU values are case-sensitive). Long lists show the property's
 * `examples` (or the first values) and the count instead of every value; the editor's completion
 * and the schema list them all.
 */
export function enumMessage(
  where: string,
  allowedValues: readonly unknown[],
  data: unknown,
  parentSchema?: unknown,
): string {
  const suggestion = typeof data === 'string' ? closestName(data, allowedValues.map(String)) : undefined;
  const hint = !suggestion
    ? ''
    : suggestion.toLowerCase() === String(data).toLowerCase()
      ? ` (did you mean "${suggestion}"? values are case-sensitive)`
      : ` (did you mean "${suggestion}"?)`;
  let allowed: string;
  if (allowedValues.length <= ENUM_LISTED_IN_FULL) allowed = allowedValues.map((v) => JSON.stringify(v)).join(', ');
  else {
    const examples = (parentSchema as { examples?: unknown[] } | undefined)?.examples;
    const some = (Array.isArray(examples) && examples.length > 0 ? examples : allowedValues).slice(0, 4);
    allowed = `the ${allowedValues.length} values of the schema, e.g. ${some.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return `${where} must be one of ${allowed}; got ${show(data)}${hint}`;
}
