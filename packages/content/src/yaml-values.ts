/**
 * The values of content files for readers that need no source positions (`dac scan`), with a
 * cache of them in the user's cache folder.
 *
 * Parsing the YAML is most of what a cold `dac scan` of a large tree waits for before its first
 * event (ESCU: 1,443 detection, macro and lookup files, 4.8 MB: ~1.1–1.9 s CPU with the yaml
 * package), while the values it gives are a function of the file's bytes and the loading limits
 * alone. So the value (and `documentValue`) of each file is kept, keyed by the SHA-256 of its
 * bytes, in one pack per content root; a later load reads every file as before (confined, every
 * time: the cache never decides what is read) and parses only the files whose bytes it has not
 * seen. The pack is data, never code, and is trusted only under dac's integrity seal (@dac/fs):
 * a pack planted or edited without the key in the user's state folder (a restored CI cache) is
 * ignored and rewritten, so it cannot change what a detection says. It is never kept inside the
 * content tree.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  ConfinedReader,
  ensureDir,
  isInside,
  realRoot,
  seal,
  userCacheDir,
  verifySeal,
  writeFileAtomic,
} from '@dac/fs';
import { DEFAULT_LIMITS } from './limits.js';
import { documentValue, parseYamlText, readYamlBytes, type YamlLimits } from './yaml-file.js';

/** What a reader without positions takes of a content file. */
export interface YamlValues {
  /** Absolute path. */
  path: string;
  /** Path relative to the content root, forward slashes. */
  relPath: string;
  /** The file's value (YamlFile.value: undefined when it has any YAML error). */
  value: unknown;
  /** documentValue of the file: its value seen past duplicate keys. */
  docValue: unknown;
  /** SHA-256 (hex) of the bytes the values are of; undefined when the file could not be read. */
  key?: string;
}

/** The values of the content file at `path`, as loadYamlFile gives them (no cache). */
export function loadYamlValues(
  path: string,
  root: string,
  limits: YamlLimits = DEFAULT_LIMITS,
  reader?: ConfinedReader,
): YamlValues {
  const r = readYamlBytes(path, root, limits, reader);
  if ('failed' in r) return { path, relPath: r.failed.relPath, value: undefined, docValue: documentValue(r.failed) };
  return parsedValues(r.bytes, path, r.relPath, limits, keyOf(r.bytes));
}

/**
 * The values of many content files of one root (loadYamlValues; one confinement check per folder,
 * @dac/fs ConfinedReader), through `cache` when given.
 */
export function loadYamlValuesOf(
  root: string,
  paths: readonly string[],
  limits: YamlLimits = DEFAULT_LIMITS,
  cache?: YamlValueCache,
): YamlValues[] {
  const reader = new ConfinedReader(root);
  return paths.map((p) => (cache ? cache.load(p, root, limits, reader) : loadYamlValues(p, root, limits, reader)));
}

function keyOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function parsedValues(bytes: Buffer, path: string, relPath: string, limits: YamlLimits, key: string): YamlValues {
  const file = parseYamlText(bytes, path, relPath, limits);
  return { path, relPath, value: file.value, docValue: documentValue(file), key };
}

/**
 * Bump when loadYamlFile/parseYamlText change the value they give for some bytes: packs of
 * another format are not read. yaml-values.test.ts holds the SHA-256 of the sources the values
 * come from (yaml-file.ts, yaml-errors.ts, limits.ts) next to this number and fails when they
 * change, so that a change of them is a decision to bump this or not (second review: an older
 * dac's values must not be taken by a newer one whose loading differs).
 */
export const PACK_FORMAT = 1;

/** The yaml package's version (the values are its parse): part of what a pack is valid for. */
function yamlVersion(): string {
  try {
    return String((createRequire(import.meta.url)('yaml/package.json') as { version?: unknown }).version);
  } catch {
    return 'unknown';
  }
}

/**
 * Largest pack read (bytes): a pack is read whole before its seal is checked, so a foreign file
 * at its path must not make the scan read gigabytes. The ESCU tree's pack is ~5 MB.
 */
const PACK_MAX_BYTES = 256 * 1024 * 1024;

/** A cached file: `v` its value (absent: undefined), `d` its documentValue when that differs. */
type PackEntry = { v?: unknown; d?: unknown };

/**
 * Whether a value comes back unchanged from JSON (JSON.parse(JSON.stringify(v)) is a value equal
 * to it): only such values are cached. Not: non-finite numbers, -0, `undefined`, objects that are
 * not plain (a prototype other than Object.prototype), a `__proto__` key, an object reached twice
 * (a YAML alias: JSON would give two copies), or nesting deeper than `depth`.
 */
export function jsonExact(v: unknown, seen: Set<object> = new Set(), depth = 200): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (typeof v !== 'object' || depth === 0 || seen.has(v)) return false;
  seen.add(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!(i in v) || !jsonExact(v[i], seen, depth - 1)) return false;
    return true;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype || Object.getOwnPropertySymbols(v).length > 0) return false;
  for (const k of Object.getOwnPropertyNames(v)) {
    if (k === '__proto__') return false;
    const d = Object.getOwnPropertyDescriptor(v, k)!;
    if (!d.enumerable || !('value' in d) || !jsonExact(d.value, seen, depth - 1)) return false;
  }
  return true;
}

/** The folder of the packs: `<user cache>/yaml-values`, unless it resolves inside the content root. */
export function yamlValueCacheDir(contentRoot: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = join(userCacheDir(env), 'yaml-values');
  return isInside(realRoot(contentRoot), realRoot(dir)) ? undefined : dir;
}

/**
 * The cached values of one content root's files (one pack file: a header line — format, what it
 * is valid for, the seal — then the entries as JSON). Open it, `load` files through it, `save`.
 */
export class YamlValueCache {
  private readonly old: Map<string, PackEntry>;
  private readonly used = new Map<string, PackEntry>();
  private missed = 0;
  private added = 0;

  private constructor(
    private readonly file: string | undefined,
    private readonly validFor: string,
    old: Map<string, PackEntry>,
  ) {
    this.old = old;
  }

  /**
   * The pack of the content root `root` read with `limits` (an empty one when there is none, it
   * does not verify, or `dir` is undefined: then nothing is saved either).
   */
  static open(
    root: string,
    limits: YamlLimits = DEFAULT_LIMITS,
    dir: string | undefined = yamlValueCacheDir(root),
  ): YamlValueCache {
    const real = realRoot(root);
    const validFor = JSON.stringify({
      format: PACK_FORMAT,
      yaml: yamlVersion(),
      root: real,
      limits: { yaml_file_bytes: limits.yaml_file_bytes, yaml_keys_per_mapping: limits.yaml_keys_per_mapping },
    });
    const file = dir && join(dir, `${createHash('sha256').update(real).digest('hex').slice(0, 32)}.pack`);
    return new YamlValueCache(file, validFor, file ? readPack(file, validFor) : new Map());
  }

  /** How many files were parsed (not in the pack: `keep` calls). */
  get parsed(): number {
    return this.missed;
  }

  /**
   * The values of the file at `path` as loadYamlFile gives them (read through `reader` when
   * given): from the pack when its bytes are there, else parsed (and kept for `save`).
   */
  load(path: string, root: string, limits: YamlLimits = DEFAULT_LIMITS, reader?: ConfinedReader): YamlValues {
    const r = readYamlBytes(path, root, limits, reader);
    if ('failed' in r) return { path, relPath: r.failed.relPath, value: undefined, docValue: documentValue(r.failed) };
    const key = keyOf(r.bytes);
    return this.hit(path, r.relPath, key) ?? this.keep(parsedValues(r.bytes, path, r.relPath, limits, key));
  }

  /**
   * The values of the file at `path` when its bytes are in the pack, else undefined (parse it,
   * loadYamlValues, and `keep` the values: a worker thread can do that).
   */
  cached(
    path: string,
    root: string,
    limits: YamlLimits = DEFAULT_LIMITS,
    reader?: ConfinedReader,
  ): YamlValues | undefined {
    const r = readYamlBytes(path, root, limits, reader);
    if ('failed' in r) return { path, relPath: r.failed.relPath, value: undefined, docValue: documentValue(r.failed) };
    return this.hit(path, r.relPath, keyOf(r.bytes));
  }

  /** `cached` of many files of one root (one confinement check per folder). */
  cachedOf(root: string, paths: readonly string[], limits: YamlLimits = DEFAULT_LIMITS): (YamlValues | undefined)[] {
    const reader = new ConfinedReader(root);
    return paths.map((p) => this.cached(p, root, limits, reader));
  }

  private hit(path: string, relPath: string, key: string): YamlValues | undefined {
    // A file with the bytes of one loaded before through this cache is parsed anew: each file
    // gets values of its own, as from loadYamlFile (no object shared between two files).
    const hit = this.used.has(key) ? undefined : this.old.get(key);
    if (!hit) return undefined;
    this.used.set(key, hit);
    return { path, relPath, value: hit.v, docValue: 'd' in hit ? hit.d : hit.v, key };
  }

  /** Keeps parsed values (loadYamlValues) for `save`, when JSON gives them back unchanged; returns them. */
  keep(values: YamlValues): YamlValues {
    this.missed++;
    const { key, value, docValue } = values;
    if (key === undefined || this.used.has(key)) return values;
    const entry: PackEntry = {};
    if (value !== undefined) entry.v = value;
    // documentValue is the value itself unless the value is undefined (a duplicate key seen past).
    if (docValue !== value) entry.d = docValue;
    if (jsonExact(entry)) {
      this.used.set(key, entry);
      this.added++;
    }
    return values;
  }

  /**
   * Writes the pack with the entries this cache loaded (only those: the pack does not grow with
   * the content's history) when it gained one or left one unused. Never throws: a cache that
   * cannot be written only costs time.
   */
  save(): void {
    if (!this.file) return;
    if (this.added === 0 && this.used.size === this.old.size) return;
    try {
      const body = JSON.stringify(Object.fromEntries(this.used));
      const header = JSON.stringify({ validFor: this.validFor, seal: seal(['yaml-values', this.validFor, body]) });
      ensureDir(join(this.file, '..'));
      writeFileAtomic(this.file, `${header}\n${body}`, { fsync: false });
    } catch {
      // not written: the next load parses again
    }
  }
}

/** The entries of a pack that verifies for `validFor`, else none. */
function readPack(file: string, validFor: string): Map<string, PackEntry> {
  try {
    if (statSync(file).size > PACK_MAX_BYTES) return new Map();
    const text = readFileSync(file, 'utf8');
    const nl = text.indexOf('\n');
    if (nl < 0) return new Map();
    const header = JSON.parse(text.slice(0, nl)) as { validFor?: unknown; seal?: unknown };
    const body = text.slice(nl + 1);
    if (header.validFor !== validFor || !verifySeal(['yaml-values', validFor, body], header.seal)) return new Map();
    const entries = JSON.parse(body) as Record<string, PackEntry>;
    return new Map(Object.entries(entries));
  } catch {
    return new Map();
  }
}
