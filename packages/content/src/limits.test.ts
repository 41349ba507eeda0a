// Issue 12 case 6 (YAML part): the keys-per-mapping and bytes-per-file limits, configurable in
// dac.config.yaml, and a duplicate-key check / position lookup that stay linear in the keys
// (figures: packages/content/bench/yaml-keys.bench.ts).
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { DEFAULT_LIMITS, limitsFrom } from './limits.js';
import { loadContent } from './tree.js';
import { parseYamlText, positionOfPath } from './yaml-file.js';

const manyKeys = (n: number, extra = '') =>
  `name: x\ntags:\n${Array.from({ length: n }, (_, i) => `  k${i}: ${i}\n`).join('')}${extra}`;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('issue 12 case 6: YAML limits', () => {
  it('a mapping over the key limit is one positioned error naming limits.yaml_keys_per_mapping', () => {
    const f = parseYamlText(manyKeys(DEFAULT_LIMITS.yaml_keys_per_mapping + 1), '/a.yml', 'a.yml');
    expect(f.diagnostics).toMatchObject([
      {
        rule: 'yaml-too-many-keys',
        line: 3,
        column: 3,
        message: expect.stringMatching(
          /mapping has 10001 keys; the limit is 10000 keys per mapping \(raise it with limits\.yaml_keys_per_mapping in dac\.config\.yaml, default 10000\)/,
        ),
      },
    ]);
    expect(f.value).toBeUndefined();
  });

  it('20,000 keys under a raised limit: every duplicate found (last one wins) and every key positioned', () => {
    const n = 20_000;
    const f = parseYamlText(manyKeys(n, '  k7: again\n  k19999: again\n'), '/a.yml', 'a.yml', {
      yaml_file_bytes: 1 << 30,
      yaml_keys_per_mapping: n + 2,
    });
    expect(f.diagnostics.map((d) => [d.rule, d.line, d.message])).toEqual([
      ['yaml-duplicate-key', n + 3, expect.stringContaining('duplicate key "k7"')],
      ['yaml-duplicate-key', n + 4, expect.stringContaining('duplicate key "k19999"')],
    ]);
    for (const i of [0, 7, 12345, n - 1])
      expect(positionOfPath(f, ['tags', `k${i}`], 'key')).toEqual({ line: i + 3, column: 3 });
    expect(positionOfPath(f, ['tags', 'absent'], 'key')).toEqual({ line: 3, column: 3 });
  });

  it('keys compare as YAML values: 1 and "1" are different keys, 1 and 0x1 the same', () => {
    expect(parseYamlText('a:\n  1: x\n  "1": y\n', '/a.yml', 'a.yml').diagnostics).toEqual([]);
    expect(parseYamlText('a:\n  1: x\n  0x1: y\n', '/a.yml', 'a.yml').diagnostics).toMatchObject([
      { rule: 'yaml-duplicate-key', line: 3 },
    ]);
  });

  it('limits come from dac.config.yaml `limits:` (bytes per file and keys per mapping)', () => {
    dir = mkdtempSync(join(tmpdir(), 'dac-limits-'));
    writeFileSync(join(dir, 'dac.config.yaml'), 'limits:\n  yaml_file_bytes: 100\n  yaml_keys_per_mapping: 3\n');
    mkdirSync(join(dir, 'macros'));
    writeFileSync(join(dir, 'macros', 'big.yml'), `name: big\ndefinition: ${'x'.repeat(200)}\ndescription: d\n`);
    writeFileSync(join(dir, 'macros', 'keys.yml'), 'name: k\ndefinition: x\ndescription: d\narguments: []\n');
    expect(loadConfig(dir).config.limits).toMatchObject({ yaml_file_bytes: 100, yaml_keys_per_mapping: 3 });
    const tree = loadContent(dir);
    expect(tree.diagnostics.map((d) => `${d.file} ${d.rule}: ${d.message}`)).toEqual([
      expect.stringMatching(
        /^macros\/big\.yml yaml-file-too-large: file is 238 bytes; the limit for a content file is 100 bytes \(raise it with limits\.yaml_file_bytes in dac\.config\.yaml, default 4194304\)/,
      ),
      expect.stringMatching(/^macros\/keys\.yml yaml-too-many-keys: mapping has 4 keys; the limit is 3/),
    ]);
  });

  it('limitsFrom ignores values that are not positive safe integers (the schema reports them)', () => {
    expect(limitsFrom({ json_depth: -1, where_terms: 1.5, lookup_bytes: '9', yaml_keys_per_mapping: 7 })).toEqual({
      ...DEFAULT_LIMITS,
      yaml_keys_per_mapping: 7,
    });
  });
});
