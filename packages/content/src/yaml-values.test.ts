// The cached values of content files (YamlValueCache) are the values loadYamlFile gives
// (value, documentValue), whether parsed (cache miss) or read back from the pack (hit), for
// arbitrary YAML-ish text; a pack that is not dac's own (edited, planted, for another root or
// other limits) is never believed; one inside the content root is never used.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DEFAULT_LIMITS } from './limits.js';
import { documentValue, loadYamlFile } from './yaml-file.js';
import {
  jsonExact,
  loadYamlValues,
  loadYamlValuesOf,
  PACK_FORMAT,
  YamlValueCache,
  yamlValueCacheDir,
} from './yaml-values.js';

// The yaml package warns (process.emitWarning) about collection keys, which the texts below have.
process.removeAllListeners('warning');

const scratch = mkdtempSync(join(tmpdir(), 'dac-yaml-values-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const fresh = (name: string) => {
  const d = join(scratch, `${name}-${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
};

/** Writes the texts as root/f<i>.yml; returns their paths. */
function writeFiles(root: string, texts: readonly string[]): string[] {
  return texts.map((t, i) => {
    const p = join(root, `f${i}.yml`);
    writeFileSync(p, t);
    return p;
  });
}

/** What loadYamlFile gives of a file: its value and documentValue. */
function plain(path: string, root: string, limits = DEFAULT_LIMITS) {
  const f = loadYamlFile(path, root, limits);
  return { value: f.value, docValue: documentValue(f) };
}

// YAML-ish lines: keys, duplicates, sequences, quoted and block scalars, numbers of every kind
// YAML 1.2 resolves (and those JSON cannot hold: .inf, .nan, -0), anchors and aliases, tags,
// flow collections, comments, tabs, broken quoting — whatever a content file may hold.
const piece = fc.constantFrom(
  'name: x',
  'name: y',
  'id: 1',
  'id: "1"',
  '  - a',
  '- b',
  'tags:',
  '  confidence: 100',
  '  list: [1, 2.5, -0, .inf, -.inf, .nan, 0x1F, 0o17, 1e3, ~, null, true, False]',
  'x: -0',
  'x: .nan',
  'search: |',
  '  | tstats count',
  '  from datamodel=Endpoint',
  'folded: >-',
  '  one',
  '  two',
  'q: "a\\tb\\u00e9\\x41"',
  "s: 'it''s'",
  'a: &anchor {k: v}',
  'b: *anchor',
  'c: !!str 12',
  'd: !custom v',
  '__proto__: {polluted: 1}',
  'constructor: x',
  '? [k1, k2]',
  ': v',
  '"1": one',
  '1: uno',
  '# comment',
  '',
  '\tbad: tab',
  'name: "unterminated',
  '---',
  'e: 2026-12-03',
  'f: 12345678901234567890',
  'g: "\\ud800"',
);
const yamlText = fc.oneof(
  fc.array(piece, { maxLength: 12 }).map((ls) => ls.join('\n')),
  // Arbitrary JSON-ish values as the yaml package writes them.
  fc.jsonValue({ maxDepth: 3 }).map((v) => stringify(v)),
  fc.string({ maxLength: 40 }),
);

describe('YamlValueCache', () => {
  it('the pack format is decided again whenever the sources of the values change', () => {
    // When this fails: if the change can alter the value or documentValue of some bytes, bump
    // PACK_FORMAT (older packs are then not read); either way, record the new hashes here.
    const sources = ['yaml-file.ts', 'yaml-errors.ts', 'limits.ts'].map((f) =>
      createHash('sha256')
        .update(readFileSync(new URL(`./${f}`, import.meta.url)))
        .digest('hex'),
    );
    expect({ format: PACK_FORMAT, sources }).toStrictEqual({
      format: 1,
      sources: [
        'fd8a7e3b34ba5fe09a2f92bbc721f40347900b072ae7fddaec3c77cfd27bdfa4',
        'a95e8212be5ddf0c08bf36e4023b5733f367a8000a2f58771aca2fc30dcd02b4',
        'a84359fd9f55b79ea6b0e44776c0d23972146c1d96dfe376c14bfb8298386584',
      ],
    });
  });

  it('gives loadYamlFile’s values, parsed or from the pack (arbitrary YAML-ish text)', () => {
    fc.assert(
      fc.property(fc.array(yamlText, { minLength: 1, maxLength: 6 }), (texts) => {
        const root = fresh('prop');
        const dir = fresh('prop-cache');
        const paths = writeFiles(root, texts);
        // A duplicate of the first file (same bytes): each file gets values of its own.
        writeFileSync(join(root, 'dup.yml'), texts[0]!);
        paths.push(join(root, 'dup.yml'));
        const want = paths.map((p) => plain(p, root));
        const first = YamlValueCache.open(root, DEFAULT_LIMITS, dir);
        const missed = loadYamlValuesOf(root, paths, DEFAULT_LIMITS, first);
        first.save();
        const second = YamlValueCache.open(root, DEFAULT_LIMITS, dir);
        const hit = loadYamlValuesOf(root, paths, DEFAULT_LIMITS, second);
        const cachedOf = YamlValueCache.open(root, DEFAULT_LIMITS, dir).cachedOf(root, paths);
        // From the pack: every file whose values JSON gives back, but for a second file of the same bytes.
        const all = [...texts, texts[0]!];
        const parsedAgain = all.filter((t, i) => {
          const w = want[i]!;
          const exact = jsonExact({
            ...(w.value === undefined ? {} : { v: w.value }),
            ...(w.docValue === w.value ? {} : { d: w.docValue }),
          });
          return !exact || all.indexOf(t) < i;
        }).length;
        expect(second.parsed).toBe(parsedAgain);
        for (const got of [missed, hit, paths.map((p) => loadYamlValues(p, root))]) {
          expect(got.map((v) => ({ value: v.value, docValue: v.docValue }))).toStrictEqual(want);
        }
        cachedOf.forEach((v, i) => {
          if (v) expect({ value: v.value, docValue: v.docValue }).toStrictEqual(want[i]);
        });
        // Nothing shared between two files' values, even with the same bytes.
        const a = hit[0]!.value;
        const b = hit[hit.length - 1]!.value;
        if (typeof a === 'object' && a !== null) expect(a).not.toBe(b);
        rmSync(root, { recursive: true, force: true });
        rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: 150 },
    );
  });

  it('parses only the files whose bytes it has not seen', () => {
    const root = fresh('hits');
    const dir = fresh('hits-cache');
    const paths = writeFiles(root, ['name: a\n', 'name: b\n', 'name: c\n']);
    const first = YamlValueCache.open(root, DEFAULT_LIMITS, dir);
    loadYamlValuesOf(root, paths, DEFAULT_LIMITS, first);
    expect(first.parsed).toBe(3);
    first.save();
    writeFileSync(paths[1]!, 'name: B\n');
    const second = YamlValueCache.open(root, DEFAULT_LIMITS, dir);
    const got = loadYamlValuesOf(root, paths, DEFAULT_LIMITS, second);
    expect(second.parsed).toBe(1);
    expect(got.map((v) => v.value)).toEqual([{ name: 'a' }, { name: 'B' }, { name: 'c' }]);
  });

  it('does not cache values JSON cannot give back (aliases, .inf, -0, __proto__), and still gives them', () => {
    for (const text of ['a: &x {k: 1}\nb: *x\n', 'a: .inf\n', 'a: -0\n', '__proto__: {p: 1}\n']) {
      const root = fresh('exact');
      const dir = fresh('exact-cache');
      const [path] = writeFiles(root, [text]);
      const c = YamlValueCache.open(root, DEFAULT_LIMITS, dir);
      expect(c.load(path!, root).value).toStrictEqual(plain(path!, root).value);
      c.save();
      const again = YamlValueCache.open(root, DEFAULT_LIMITS, dir);
      expect(again.load(path!, root).value).toStrictEqual(plain(path!, root).value);
      expect(again.parsed).toBe(1);
    }
    expect(jsonExact({ a: [1, 'x', null, true, { b: 2 }] })).toBe(true);
    expect(jsonExact({ a: undefined })).toBe(false);
    // biome-ignore lint/suspicious/noSparseArray: a hole is what is tested
    expect(jsonExact([1, , 2])).toBe(false);
    expect(jsonExact(new Date())).toBe(false);
  });

  it('keeps documentValue past duplicate keys (value undefined)', () => {
    const root = fresh('dup');
    const dir = fresh('dup-cache');
    const [path] = writeFiles(root, ['name: a\nname: b\nsearch: x\n']);
    const c = YamlValueCache.open(root, DEFAULT_LIMITS, dir);
    c.load(path!, root);
    c.save();
    const v = YamlValueCache.open(root, DEFAULT_LIMITS, dir).load(path!, root);
    expect(v.value).toBeUndefined();
    expect(v.docValue).toEqual({ name: 'b', search: 'x' });
    expect(v).toMatchObject(plain(path!, root));
  });

  it('ignores a pack that was edited, planted for another root, or written for other limits', () => {
    const root = fresh('seal');
    const dir = fresh('seal-cache');
    const paths = writeFiles(root, ['name: real\n']);
    const c = YamlValueCache.open(root, DEFAULT_LIMITS, dir);
    loadYamlValuesOf(root, paths, DEFAULT_LIMITS, c);
    c.save();
    const [pack] = readdirSync(dir);
    const file = join(dir, pack!);
    const text = readFileSync(file, 'utf8');
    // Edited value, seal kept: not believed.
    writeFileSync(file, text.replace('"real"', '"forged"'));
    const edited = YamlValueCache.open(root, DEFAULT_LIMITS, dir);
    expect(loadYamlValuesOf(root, paths, DEFAULT_LIMITS, edited)[0]!.value).toEqual({ name: 'real' });
    expect(edited.parsed).toBe(1);
    // A verifying pack of another root, copied over this root's name: not believed.
    const other = fresh('seal-other');
    const otherDir = fresh('seal-other-cache');
    const otherPaths = writeFiles(other, ['name: real\n']);
    writeFileSync(otherPaths[0]!, 'name: real\n');
    const oc = YamlValueCache.open(other, DEFAULT_LIMITS, otherDir);
    loadYamlValuesOf(other, otherPaths, DEFAULT_LIMITS, oc);
    oc.save();
    writeFileSync(file, readFileSync(join(otherDir, readdirSync(otherDir)[0]!)));
    const planted = YamlValueCache.open(root, DEFAULT_LIMITS, dir);
    loadYamlValuesOf(root, paths, DEFAULT_LIMITS, planted);
    expect(planted.parsed).toBe(1);
    planted.save();
    // Other limits (a pack's values depend on yaml_keys_per_mapping): not believed.
    const limited = YamlValueCache.open(root, { ...DEFAULT_LIMITS, yaml_keys_per_mapping: 1 }, dir);
    const l = limited.load(paths[0]!, root, { ...DEFAULT_LIMITS, yaml_keys_per_mapping: 1 });
    expect(limited.parsed).toBe(1);
    expect(l.value).toEqual({ name: 'real' });
    // This root's own pack, just saved: believed.
    const own = YamlValueCache.open(root, DEFAULT_LIMITS, dir);
    loadYamlValuesOf(root, paths, DEFAULT_LIMITS, own);
    expect(own.parsed).toBe(0);
  });

  it('still reads every file confined: a link out of the root is refused, whatever the pack holds', () => {
    const root = fresh('confined');
    const dir = fresh('confined-cache');
    const outside = fresh('outside');
    writeFileSync(join(outside, 'secret.yml'), 'name: secret\n');
    const [inside] = writeFiles(root, ['name: secret\n']);
    const c = YamlValueCache.open(root, DEFAULT_LIMITS, dir);
    c.load(inside!, root);
    c.save();
    symlinkSync(join(outside, 'secret.yml'), join(root, 'link.yml'));
    const v = YamlValueCache.open(root, DEFAULT_LIMITS, dir).load(join(root, 'link.yml'), root);
    expect(v.value).toBeUndefined();
    expect(plain(join(root, 'link.yml'), root).value).toBeUndefined();
  });

  it('is not kept inside the content root', () => {
    const root = fresh('inroot');
    expect(yamlValueCacheDir(root, { DAC_CACHE_DIR: join(root, '.cache') })).toBeUndefined();
    expect(yamlValueCacheDir(root, { DAC_CACHE_DIR: fresh('elsewhere') })).toMatch(/yaml-values$/);
  });
});
