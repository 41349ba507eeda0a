import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseYamlText } from '@dac/content';
import { closestName as closest } from '@dac/spl';
import { compileValidators, pointerToPath, schemaDiagnostics, validators } from './schemas.js';
import { validate } from './validate.js';
import { DETECTION, detectionWith, writeTree } from './testing.js';

const DET = 'detections/endpoint/demo_process_detection.yml';
const check = (
  text: string,
  kind: 'detection' | 'macro' | 'story' | 'data_source' | 'lookup' | 'config' = 'detection',
) => {
  const f = parseYamlText(text, '/x/a.yml', 'a.yml');
  return schemaDiagnostics(f, f.value, kind);
};

describe('JSON Schemas (draft 2020-12, ajv strict)', () => {
  it('compile in strict mode', () => {
    const v = compileValidators();
    expect(Object.keys(validators()).sort()).toEqual(Object.keys(v).sort());
    expect(Object.keys(v).sort()).toEqual(['config', 'data_source', 'detection', 'lookup', 'macro', 'story']);
  });

  it('accept the base detection and the repository content', () => {
    expect(check(DETECTION)).toEqual([]);
    const ngrok = readFileSync(
      new URL('../../../detections/endpoint/windows_ngrok_reverse_proxy_usage.yml', import.meta.url),
      'utf8',
    );
    expect(check(ngrok)).toEqual([]);
  });

  it('unknown key → position of the key, with a suggestion', () => {
    const d = check(detectionWith('how_to_implement:', 'how_to_implment: x\nhow_to_implement:'));
    expect(d).toMatchObject([{ rule: 'schema', line: 12, column: 1 }]);
    expect(d[0]!.message).toContain('unknown key "how_to_implment"');
    expect(d[0]!.message).toContain('did you mean "how_to_implement"');
  });

  it('unknown nested key → position of that key', () => {
    const d = check(detectionWith('  asset_type: Endpoint', '  asset_type: Endpoint\n  colour: red'));
    expect(d).toMatchObject([{ line: 20, column: 3 }]);
    expect(d[0]!.message).toContain('unknown key "colour" in tags');
  });

  it('wrong type → position of the value, naming key and expected type', () => {
    const d = check(detectionWith('version: 3', 'version: three'));
    expect(d).toMatchObject([{ line: 3, column: 10 }]);
    expect(d[0]!.message).toBe('version must be an integer, got string "three"');
  });

  it('missing required key → the parent key', () => {
    const d = check(detectionWith('  asset_type: Endpoint\n', ''));
    expect(d).toMatchObject([{ line: 16, column: 1 }]);
    expect(d[0]!.message).toBe('missing required key "asset_type" in tags');
  });

  it('missing required top-level key → document start', () => {
    const d = check(detectionWith(/^search: .*\n/m, ''));
    expect(d).toMatchObject([{ line: 1, column: 1, message: 'missing required key "search" in the document' }]);
  });

  it('enum → value position, listing allowed values and a suggestion', () => {
    const d = check(detectionWith('type: TTP', 'type: TPP'));
    expect(d).toMatchObject([{ line: 7, column: 7 }]);
    expect(d[0]!.message).toContain('"TTP", "Anomaly", "Hunting", "Correlation"');
    expect(d[0]!.message).toContain('did you mean "TTP"');
  });

  it('format uuid → value position', () => {
    const d = check(detectionWith('id: 11111111-2222-4333-8444-555555555555', 'id: not-a-uuid'));
    expect(d).toMatchObject([{ line: 2, column: 5 }]);
    expect(d[0]!.message).toContain('must be a UUID');
  });

  it('list item type → the item', () => {
    const d = check(detectionWith('  - T1572', '  - T1572\n  - 42'));
    expect(d.map((x) => [x.line, x.column])).toEqual([[25, 5]]);
  });

  it('pattern → human message from patternErrorMessage', () => {
    const d = check(detectionWith("'2024-05-01'", "'01/05/2024'"));
    expect(d[0]!.message).toContain('date must be written YYYY-MM-DD');
  });

  it('a document that is not a mapping', () => {
    expect(check('- a\n- b\n')).toMatchObject([
      { line: 1, column: 1, message: 'the document must be a mapping, got a list' },
    ]);
  });

  it('accepts the dac extension tests[].expected_rows (integer ≥ 0) and rejects negatives', () => {
    expect(
      check(detectionWith('- name: True Positive Test', '- name: True Positive Test\n  expected_rows: 0')),
    ).toEqual([]);
    expect(
      check(detectionWith('- name: True Positive Test', '- name: True Positive Test\n  expected_rows: -1')),
    ).toMatchObject([{ message: 'tests[0].expected_rows must be ≥ 0; got -1' }]);
  });

  it('validates the other kinds', () => {
    expect(check('name: m\ndefinition: x\ndescription: d\nextra: 1\n', 'macro')).toMatchObject([
      { line: 4, column: 1 },
    ]);
    expect(check('name: l\ndescription: d\nmax_matches: 0\n', 'lookup')).toMatchObject([{ line: 3, column: 14 }]);
    expect(
      check('name: s\nid: 31111111-2222-4333-8444-555555555555\ndescription: d\nsource: s\n', 'data_source'),
    ).toMatchObject([{ message: 'missing required key "sourcetype" in the document' }]);
  });

  it('pointerToPath decodes JSON pointers', () => {
    expect(pointerToPath('/tags/observable/0/a~1b~0c')).toEqual(['tags', 'observable', 0, 'a/b~c']);
    expect(pointerToPath('')).toEqual([]);
  });

  it('closest suggests near names only', () => {
    expect(closest('Demo Stroy', ['Demo Story', 'Other'])).toBe('Demo Story');
    expect(closest('zzz', ['Demo Story'])).toBeUndefined();
  });
});

describe('YAML problems through validate()', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  it('a duplicate key is reported, and the other checks still run', async () => {
    const text = detectionWith('version: 3', 'version: 3\nversion: 4').replace('risk_score: 40', 'risk_score: 41');
    const t = writeTree({ [DET]: text });
    cleanup = t.cleanup;
    const r = await validate({ root: t.root, workers: 0 });
    expect(r.diagnostics.map((d) => [d.rule, d.line, d.column])).toEqual([
      ['yaml-duplicate-key', 4, 1],
      ['risk-score', 37, 15],
    ]);
  });

  it('after a syntax error only the first one is reported', async () => {
    const t = writeTree({ [DET]: "name: 'unclosed\nid: 1\nversion: x\n  bad: [\n" });
    cleanup = t.cleanup;
    const r = await validate({ root: t.root, workers: 0 });
    expect(r.diagnostics.filter((d) => d.rule === 'yaml-syntax')).toHaveLength(1);
  });
});
