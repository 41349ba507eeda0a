import { statSync } from 'node:fs';
import { FsRefusal, readConfinedFile, type ConfinedReader } from '@dac/fs';
import { relative, sep } from 'node:path';
import {
  LineCounter,
  Parser,
  Composer,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  visit,
  type Document,
  type Node,
  type Pair,
  type Scalar,
} from 'yaml';
import type { Diagnostic } from './diagnostic.js';
import { yamlSyntaxMessage } from './yaml-errors.js';
import { DEFAULT_LIMITS, howToRaise, type Limits } from './limits.js';

/** Files larger than this are refused before parsing by default: ESCU's largest detection is ~20 KB. */
export const MAX_YAML_BYTES = DEFAULT_LIMITS.yaml_file_bytes;
/** YAML aliases allowed per file. ESCU uses none; a small bound defeats "billion laughs". */
export const MAX_YAML_ALIASES = 20;

export type PathSegment = string | number;

/** A YAML file parsed with its source positions kept. */
export interface YamlFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the content root, forward slashes (what diagnostics print). */
  relPath: string;
  /** Decoded text (empty if undecodable). */
  text: string;
  /** Parsed document, or undefined if the file could not be read or decoded. */
  doc: Document.Parsed | undefined;
  /** Plain JavaScript value of the document (undefined when parsing failed fatally). */
  value: unknown;
  lineCounter: LineCounter;
  /** Read, decode and parse problems, already positioned. */
  diagnostics: Diagnostic[];
}

/** The limits that apply to reading one YAML file (`limits:` in dac.config.yaml). */
export type YamlLimits = Pick<Limits, 'yaml_file_bytes' | 'yaml_keys_per_mapping'>;

export function toRelPath(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

/** Reads and parses one YAML file. Never throws for bad content: problems become diagnostics. */
export function loadYamlFile(
  path: string,
  root: string,
  limits: YamlLimits = DEFAULT_LIMITS,
  reader?: ConfinedReader,
): YamlFile {
  const r = readYamlBytes(path, root, limits, reader);
  return 'failed' in r ? r.failed : parseYamlText(r.bytes, path, r.relPath, limits);
}

/**
 * The bytes of a content file as loadYamlFile reads them (through @dac/fs: the real path must be
 * inside the content root, only a regular file within the size limit is read; through `reader`,
 * one confinement check per folder, when given), or the file loadYamlFile gives when they cannot be.
 */
export function readYamlBytes(
  path: string,
  root: string,
  limits: YamlLimits = DEFAULT_LIMITS,
  reader?: ConfinedReader,
): { bytes: Buffer; relPath: string } | { failed: YamlFile } {
  const relPath = toRelPath(root, path);
  try {
    const opts = { maxBytes: limits.yaml_file_bytes };
    return { bytes: reader ? reader.read(path, opts) : readConfinedFile(root, path, opts), relPath };
  } catch (e) {
    if (e instanceof FsRefusal && e.reason === 'too-large')
      return {
        failed: failed(
          path,
          relPath,
          'yaml-file-too-large',
          `file is ${sizeOf(path)} bytes; the limit for a content file is ${limits.yaml_file_bytes} bytes (${howToRaise('yaml_file_bytes')})`,
        ),
      };
    if (e instanceof FsRefusal) return { failed: failed(path, relPath, 'file-access', e.message) };
    return { failed: failed(path, relPath, 'io', `cannot read file: ${(e as Error).message}`) };
  }
}

function sizeOf(path: string): number | string {
  try {
    return statSync(path).size;
  } catch {
    return 'more than the limit';
  }
}

/** Parses YAML bytes (or text) as a content file; used by the loader and by git-based readers. */
export function parseYamlText(
  input: Buffer | string,
  path: string,
  relPath: string,
  limits: YamlLimits = DEFAULT_LIMITS,
): YamlFile {
  const lineCounter = new LineCounter();
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    const bad = firstInvalidUtf8(input);
    if (bad >= 0) {
      const before = input.subarray(0, bad).toString('utf8');
      const lines = before.split('\n');
      return {
        ...failed(
          path,
          relPath,
          'yaml-encoding',
          `file is not valid UTF-8 (invalid byte 0x${input[bad]!.toString(16).padStart(2, '0')})`,
        ),
        diagnostics: [
          {
            file: relPath,
            line: lines.length,
            column: lines[lines.length - 1]!.length + 1,
            severity: 'error',
            rule: 'yaml-encoding',
            message: `file is not valid UTF-8 (invalid byte 0x${input[bad]!.toString(16).padStart(2, '0')})`,
          },
        ],
      };
    }
    text = input.toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  }
  const diagnostics: Diagnostic[] = [];
  const at = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  let doc: Document.Parsed | undefined;
  const docs: Document.Parsed[] = [];
  // Duplicate keys are found by checkMappings below in linear time: the yaml package's own check
  // (uniqueKeys) compares each key with every earlier one, quadratic in the keys of a mapping
  // (issue 12 case 6: 10k keys took 21 s, 20k keys 75 s).
  const composer = new Composer({ uniqueKeys: false, prettyErrors: false, strict: true });
  for (const d of composer.compose(new Parser(lineCounter.addNewLine).parse(text), true, text.length))
    docs.push(d as Document.Parsed);
  doc = docs[0];
  for (const d of docs) {
    for (const err of [...d.errors, ...d.warnings]) {
      const isWarning = (d.warnings as unknown[]).includes(err);
      diagnostics.push({
        file: relPath,
        ...at(err.pos[0]),
        severity: isWarning ? 'warning' : 'error',
        rule: err.code === 'DUPLICATE_KEY' ? 'yaml-duplicate-key' : 'yaml-syntax',
        message:
          err.code === 'DUPLICATE_KEY'
            ? duplicateKeyMessage(text, err.pos)
            : yamlSyntaxMessage(err, text, cleanYamlMessage(err.message)),
      });
    }
  }
  for (const d of docs) checkMappings(d, text, relPath, limits, at, diagnostics);
  // Tabs are not YAML indentation; the parser's message for them is obscure, so say it plainly.
  for (let i = text.indexOf('\t'); i >= 0; i = text.indexOf('\t', i + 1)) {
    const lineStart = text.lastIndexOf('\n', i) + 1;
    if (/^[ \t]*$/.test(text.slice(lineStart, i))) {
      diagnostics.push({
        file: relPath,
        ...at(i),
        severity: 'error',
        rule: 'yaml-tab',
        message: 'tab character in indentation; YAML indentation must use spaces',
      });
      break;
    }
  }
  if (docs.length > 1) {
    const second = docs[1]!;
    diagnostics.push({
      file: relPath,
      ...at(second.range[0]),
      severity: 'error',
      rule: 'yaml-syntax',
      message: 'a content file must hold exactly one YAML document',
    });
  }
  let value: unknown;
  if (doc) {
    let aliases = 0;
    let firstExcess: number | undefined;
    // An alias needs an anchor (`&`) and a `*`; most content lacks one of them, so skip the walk.
    if (text.includes('&') && text.includes('*'))
      visit(doc, {
        Alias(_, node) {
          aliases++;
          if (aliases > MAX_YAML_ALIASES && firstExcess === undefined) firstExcess = node.range?.[0] ?? 0;
        },
      });
    if (firstExcess !== undefined) {
      diagnostics.push({
        file: relPath,
        ...at(firstExcess),
        severity: 'error',
        rule: 'yaml-alias',
        message: `more than ${MAX_YAML_ALIASES} YAML aliases; aliases are limited to defeat expansion attacks`,
      });
    } else if (!diagnostics.some((d) => d.severity === 'error')) {
      try {
        value = doc.toJS({ maxAliasCount: 1000 });
      } catch (e) {
        diagnostics.push({
          file: relPath,
          line: 1,
          column: 1,
          severity: 'error',
          rule: 'yaml-syntax',
          message: (e as Error).message,
        });
      }
    }
    if (doc.contents == null && !diagnostics.some((d) => d.severity === 'error')) {
      value = undefined;
      diagnostics.push({
        file: relPath,
        line: 1,
        column: 1,
        severity: 'error',
        rule: 'yaml-empty',
        message: 'file is empty',
      });
    }
  } else {
    diagnostics.push({
      file: relPath,
      line: 1,
      column: 1,
      severity: 'error',
      rule: 'yaml-empty',
      message: 'file is empty',
    });
  }
  return { path, relPath, text, doc, value, lineCounter, diagnostics };
}

/**
 * Duplicate keys and the keys-per-mapping limit, in one walk over every mapping of a document:
 * linear in its size (a Set of the keys seen per mapping). Keys are compared as the yaml package
 * compares them (scalar keys by value, so `1` and `"1"` differ); collection and alias keys are
 * not compared (content never uses them; PyYAML refuses them).
 */
function checkMappings(
  doc: Document.Parsed,
  text: string,
  relPath: string,
  limits: YamlLimits,
  at: (offset: number) => { line: number; column: number },
  diagnostics: Diagnostic[],
): void {
  const max = limits.yaml_keys_per_mapping;
  visit(doc, {
    Map(_, map) {
      if (map.items.length > max) {
        diagnostics.push({
          file: relPath,
          ...at(map.range?.[0] ?? 0),
          severity: 'error',
          rule: 'yaml-too-many-keys',
          message: `mapping has ${map.items.length} keys; the limit is ${max} keys per mapping (${howToRaise('yaml_keys_per_mapping')})`,
        });
        // Its keys are not checked further: the document is refused anyway.
        return visit.SKIP;
      }
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key)) continue;
        const id = `${typeof key.value}:${String(key.value)}`;
        if (!seen.has(id)) {
          seen.add(id);
          continue;
        }
        const pos = key.range?.[0] ?? 0;
        diagnostics.push({
          file: relPath,
          ...at(pos),
          severity: 'error',
          rule: 'yaml-duplicate-key',
          message: duplicateKeyMessage(text, [pos, pos]),
        });
      }
      return undefined;
    },
  });
}

function duplicateKeyMessage(text: string, pos: [number, number]): string {
  const line = text.slice(pos[0], pos[0] + 120).split('\n')[0]!;
  const key = line.split(/:(?:\s|$)/)[0]!.trim();
  return key
    ? `duplicate key "${key}": keys of a mapping must be unique (YAML keeps only one value)`
    : 'keys of a mapping must be unique';
}

function cleanYamlMessage(message: string): string {
  // The yaml package appends "at line X, column Y" and a code frame; we print our own position.
  return message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim();
}

function failed(path: string, relPath: string, rule: string, message: string): YamlFile {
  return {
    path,
    relPath,
    text: '',
    doc: undefined,
    value: undefined,
    lineCounter: new LineCounter(),
    diagnostics: [{ file: relPath, line: 1, column: 1, severity: 'error', rule, message }],
  };
}

/** Index of the first byte that is not part of a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let len: number, min: number;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      min = 0x10000;
    } else return i;
    if (i + len > n) return i;
    let cp = c & (0xff >> (len + 1));
    for (let k = 1; k < len; k++) {
      const cc = b[i + k]!;
      if ((cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += len;
  }
  return -1;
}

/**
 * The value the document holds, seeing past duplicate keys: the parser refuses to build a value
 * when the YAML has any error, but a duplicate key is one that can be seen past (the last value
 * wins, as in PyYAML), so the other checks still run and the author gets every defect in one pass.
 * Undefined when the YAML has any other error.
 */
export function documentValue(file: YamlFile): unknown {
  if (file.value !== undefined || !file.doc || !isMap(file.doc.contents)) return file.value;
  const errors = file.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length === 0 || !errors.every((d) => d.rule === 'yaml-duplicate-key')) return file.value;
  try {
    return file.doc.toJS({ maxAliasCount: 1000 });
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Positions

export interface Position {
  line: number;
  column: number;
}

export function positionAt(file: YamlFile, offset: number): Position {
  if (!file.doc) return { line: 1, column: 1 };
  const p = file.lineCounter.linePos(Math.max(0, Math.min(offset, file.text.length)));
  return { line: p.line, column: p.col };
}

/** The node at a path in the document, with the pair holding it (when it is a map value). */
/** Per mapping, its pairs by key (the first pair of each key, as `items.find` would return). */
const pairIndexes = new WeakMap<object, Map<string, Pair>>();

function pairOf(map: { items: Pair[] }, seg: PathSegment): Pair | undefined {
  // A small mapping is searched directly; a large one is indexed once, so that a position lookup
  // per key (one per schema error) stays linear overall (issue 12 case 6).
  if (map.items.length <= 16)
    return map.items.find((it) => (isScalar(it.key) ? String(it.key.value) : String(it.key)) === String(seg));
  let index = pairIndexes.get(map);
  if (!index) {
    index = new Map();
    for (const it of map.items) {
      const k = isScalar(it.key) ? String(it.key.value) : String(it.key);
      if (!index.has(k)) index.set(k, it);
    }
    pairIndexes.set(map, index);
  }
  return index.get(String(seg));
}

export function nodeAt(file: YamlFile, path: readonly PathSegment[]): { node?: Node; pair?: Pair; parent?: Node } {
  let node: unknown = file.doc?.contents;
  let pair: Pair | undefined;
  let parent: Node | undefined;
  for (const seg of path) {
    if (isAlias(node)) return { parent };
    if (isMap(node)) {
      const p = pairOf(node as unknown as { items: Pair[] }, seg);
      if (!p) return { parent: node };
      parent = node;
      pair = p as Pair;
      node = p.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      parent = node;
      pair = undefined;
      node = node.items[seg];
      if (node === undefined) return { parent };
    } else {
      return { parent: node as Node | undefined };
    }
  }
  return { node: (node ?? undefined) as Node | undefined, pair, parent };
}

/**
 * Position of the node at `path`: of its key (`key`) or its value (`value`). When the path does
 * not exist, the closest existing ancestor is used, so a missing key points at its parent map.
 */
export function positionOfPath(
  file: YamlFile,
  path: readonly PathSegment[],
  which: 'key' | 'value' = 'value',
): Position {
  for (let n = path.length; n >= 0; n--) {
    const { node, pair } = nodeAt(file, path.slice(0, n));
    if (n === path.length && which === 'key' && pair && (pair.key as Node | null)?.range) {
      return positionAt(file, (pair.key as Node).range![0]);
    }
    if (node?.range) return positionAt(file, node.range[0]);
    if (pair && (pair.key as Node | null)?.range) return positionAt(file, (pair.key as Node).range![0]);
  }
  return { line: 1, column: 1 };
}

const scalarMaps = new WeakMap<Scalar, Int32Array>();

/**
 * Maps an offset in a scalar's decoded string value to an offset in the file, so that a
 * position inside a value (a character of an SPL search) can be reported at its real
 * file:line:col. Handles plain, single- and double-quoted (escapes, '' quotes, line folding)
 * and block (literal and folded, indentation stripped) scalars. Non-space characters map
 * exactly; folded whitespace maps to the start of the whitespace run.
 */
export function scalarOffsetToFileOffset(file: YamlFile, scalar: Scalar, valueOffset: number): number {
  let map = scalarMaps.get(scalar);
  if (!map) {
    map = buildScalarMap(file.text, scalar);
    scalarMaps.set(scalar, map);
  }
  if (map.length === 0) return scalar.range?.[0] ?? 0;
  return map[Math.max(0, Math.min(valueOffset, map.length - 1))]!;
}

/** File position of a character of a scalar's value. */
export function positionInScalar(file: YamlFile, scalar: Scalar, valueOffset: number): Position {
  return positionAt(file, scalarOffsetToFileOffset(file, scalar, valueOffset));
}

function buildScalarMap(text: string, scalar: Scalar): Int32Array {
  const value = String(scalar.source ?? scalar.value ?? '');
  const [start, , end] = scalar.range ?? [0, 0, 0];
  const map = new Int32Array(value.length + 1);
  let s = start;
  const type = scalar.type;
  if (type === 'QUOTE_SINGLE' || type === 'QUOTE_DOUBLE') s = start + 1;
  else if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') {
    const nl = text.indexOf('\n', start);
    s = nl < 0 ? end : nl + 1;
  }
  const isWs = (ch: string | undefined) => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (s >= end) {
      map[i] = Math.max(start, end - 1);
      continue;
    }
    const t = text[s];
    if (type === 'QUOTE_DOUBLE' && t === '\\') {
      const e = text[s + 1];
      if (e === '\n' || e === '\r') {
        // escaped line break: no value character
        s += 2;
        while (s < end && isWs(text[s])) s++;
        i--;
        continue;
      }
      map[i] = s;
      s += e === 'x' ? 4 : e === 'u' ? 6 : e === 'U' ? 10 : 2;
      continue;
    }
    if (type === 'QUOTE_SINGLE' && t === "'" && text[s + 1] === "'") {
      map[i] = s;
      s += 2;
      continue;
    }
    if (t === c) {
      map[i] = s++;
      continue;
    }
    if (isWs(t)) {
      // Folded line break or stripped indentation: the value char (often a space or a newline)
      // corresponds to the whitespace run; resynchronise on the next matching source char.
      const runStart = s;
      while (s < end && isWs(text[s]) && text[s] !== c) s++;
      if (isWs(c)) {
        map[i] = runStart;
        if (text[s] === c) s++;
        continue;
      }
      if (text[s] === c) {
        map[i] = s++;
        continue;
      }
    }
    map[i] = s;
    s++;
  }
  map[value.length] = Math.min(s, end);
  return map;
}
