// Issue 2 "Done when": a broken copy of the ngrok detection yields exactly one diagnostic per defect,
// at the right line and column, in all three output formats of `dac validate`.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDac } from '../support/run-dac.js';

const repo = join(import.meta.dirname, '..', '..');
const fixture = join(import.meta.dirname, 'fixtures', 'windows_ngrok_reverse_proxy_usage.broken.yml');
const text = readFileSync(fixture, 'utf8');
const REL = 'detections/endpoint/windows_ngrok_reverse_proxy_usage.yml';

/** 1-based line and column of the first occurrence of `needle` (the offending key or value). */
function at(needle: string, nth = 0): { line: number; column: number } {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
  if (i < 0) throw new Error(`fixture lacks ${needle}`);
  const lines = text.slice(0, i).split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

// One expected diagnostic per defect: rule id and the exact position of the offending node.
const EXPECTED = [
  { rule: 'schema', ...at('e2549f2c-0aef-408a-b0c1-e0f27062343g'), about: 'bad UUID → the id value' },
  { rule: 'schema', ...at('five'), about: 'wrong type for version → the value' },
  { rule: 'schema', ...at('severity: high'), about: 'unknown key → the key' },
  { rule: 'yaml-duplicate-key', ...at('author: Someone Else'), about: 'duplicate key → the second key' },
  { rule: 'filter-macro', ...at("'| tstats"), about: 'missing filter macro → the search value' },
  { rule: 'message-token', ...at('$process_guid$'), about: 'message token not in the output → the token' },
  { rule: 'mitre-attack-id', ...at('T1999'), about: 'unknown ATT&CK id → the list item' },
  { rule: 'risk-score', ...at('55'), about: 'wrong risk_score → the value' },
].sort((a, b) => a.line - b.line || a.column - b.column);

let root: string;
beforeAll(() => {
  // The repository's content with the broken copy in place of the real detection.
  root = mkdtempSync(join(tmpdir(), 'dac-broken-ngrok-'));
  for (const dir of ['macros', 'stories', 'data_sources', 'lookups', 'schemas']) {
    if (existsSync(join(repo, dir))) cpSync(join(repo, dir), join(root, dir), { recursive: true });
  }
  mkdirSync(join(root, 'detections', 'endpoint'), { recursive: true });
  // Its $schema comment points at the schema from test/validate/fixtures/; from its new folder it is two levels up.
  writeFileSync(join(root, REL), text.replace('$schema=../../../schemas/', '$schema=../../schemas/'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const dac = (...args: string[]) => runDac('validate', '--content', root, ...args);

describe('broken ngrok detection: one diagnostic per defect, exact positions', () => {
  it('the expected positions are distinct (each defect is its own node)', () => {
    expect(new Set(EXPECTED.map((e) => `${e.line}:${e.column}`)).size).toBe(8);
  });

  it('json format', async () => {
    const { code, out } = await dac('--format', 'json');
    expect(code).toBe(1);
    const json = JSON.parse(out) as {
      diagnostics: { file: string; line: number; column: number; severity: string; rule: string; message: string }[];
      summary: unknown;
    };
    expect(json.diagnostics.map(({ file, line, column, rule }) => ({ file, line, column, rule }))).toEqual(
      EXPECTED.map(({ rule, line, column }) => ({ file: REL, line, column, rule })),
    );
    expect(json.diagnostics.every((d) => d.severity === 'error')).toBe(true);
    expect(json.summary).toEqual({ files: expect.any(Number), errors: 8, warnings: 0 });
    const byRule = (r: string) =>
      json.diagnostics
        .filter((d) => d.rule === r)
        .map((d) => d.message)
        .join(' | ');
    expect(byRule('schema')).toMatch(
      /id must be a UUID.*version must be an integer, got string "five".*unknown key "severity"/,
    );
    expect(byRule('filter-macro')).toContain('`windows_ngrok_reverse_proxy_usage_filter`');
    expect(byRule('message-token')).toContain('$process_guid$');
    expect(byRule('mitre-attack-id')).toContain('T1999');
    expect(byRule('risk-score')).toContain('= 50');
  });

  it('text format', async () => {
    const { code, out } = await dac('--format', 'text');
    expect(code).toBe(1);
    const shown = relative(process.cwd(), join(root, REL)).split('\\').join('/');
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(9);
    lines.slice(0, 8).forEach((l, i) => {
      const e = EXPECTED[i]!;
      expect(l.startsWith(`${shown}:${e.line}:${e.column}: error: `), l).toBe(true);
      expect(l.endsWith(` [${e.rule}]`), l).toBe(true);
    });
    expect(lines[8]).toMatch(/^\d+ files checked: 8 errors, 0 warnings \(\d+\.\d\ds\)$/);
  });

  it('github format', async () => {
    const { code, out } = await dac('--format', 'github');
    expect(code).toBe(1);
    const shown = relative(process.cwd(), join(root, REL))
      .split('\\')
      .join('/')
      .replace(/:/g, '%3A')
      .replace(/,/g, '%2C');
    const lines = out
      .trimEnd()
      .split('\n')
      .filter((l) => l.startsWith('::'));
    expect(lines).toHaveLength(8);
    lines.forEach((l, i) => {
      const e = EXPECTED[i]!;
      expect(l.startsWith(`::error file=${shown},line=${e.line},col=${e.column},title=dac ${e.rule}::`), l).toBe(true);
      expect(l).not.toMatch(/[\r\n]/);
    });
  });
});

describe('the repository content', () => {
  it('validates with exit 0 (once the data sources exist)', async () => {
    const { code, out } = await runDac('validate', '--content', repo, '--format', 'json');
    const json = JSON.parse(out) as { diagnostics: unknown[]; summary: { errors: number } };
    expect(json.diagnostics).toEqual([]);
    expect(code).toBe(0);
  });
});
