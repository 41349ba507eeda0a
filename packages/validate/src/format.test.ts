import { afterEach, describe, expect, it } from 'vitest';
import { escapeGithubData, escapeGithubProperty, formatGithub, formatJson, formatText } from './format.js';
import { UsageError, validate, type ValidationResult } from './validate.js';
import { detectionWith, writeTree } from './testing.js';

const result: ValidationResult = {
  diagnostics: [
    {
      file: 'detections/a.yml',
      line: 3,
      column: 10,
      severity: 'error',
      rule: 'schema',
      message: 'version must be an integer, got string "x"',
    },
    {
      file: 'detections/a.yml',
      line: 7,
      column: 5,
      severity: 'warning',
      rule: 'mitre-sub-technique',
      message: 'line1\nline2 100%, a:b',
    },
  ],
  files: 4,
  errors: 1,
  warnings: 1,
  durationMs: 1234,
};

describe('formatters (issue 2 CLI contract)', () => {
  it('text: path:line:col: severity: message [rule], then a summary', () => {
    const out = formatText(result, { root: '/repo', cwd: '/repo' });
    expect(out.split('\n')).toEqual([
      'detections/a.yml:3:10: error: version must be an integer, got string "x" [schema]',
      'detections/a.yml:7:5: warning: line1\\nline2 100%, a:b [mitre-sub-technique]',
      '4 files checked: 1 error, 1 warning (1.23s)',
      '',
    ]);
  });

  it('text paths are relative to the working directory', () => {
    expect(formatText(result, { root: '/repo/content', cwd: '/repo' })).toContain('content/detections/a.yml:3:10:');
  });

  it('json: diagnostics with file relative to the content root, and a summary', () => {
    const parsed = JSON.parse(formatJson(result));
    expect(parsed).toEqual({
      diagnostics: result.diagnostics.map((d) => ({
        file: d.file,
        line: d.line,
        column: d.column,
        severity: d.severity,
        rule: d.rule,
        message: d.message,
      })),
      summary: { files: 4, errors: 1, warnings: 1 },
    });
    expect(Object.keys(parsed.diagnostics[0])).toEqual(['file', 'line', 'column', 'severity', 'rule', 'message']);
  });

  it('github: workflow commands with escaped data and properties', () => {
    const out = formatGithub(result, { root: '/repo', cwd: '/repo' }).split('\n');
    expect(out[0]).toBe(
      '::error file=detections/a.yml,line=3,col=10::version must be an integer, got string "x" [schema]',
    );
    expect(out[1]).toBe(
      '::warning file=detections/a.yml,line=7,col=5::line1%0Aline2 100%25, a:b [mitre-sub-technique]',
    );
  });

  it('github escaping follows the workflow-command rules', () => {
    expect(escapeGithubData('a%b\r\nc')).toBe('a%25b%0D%0Ac');
    expect(escapeGithubProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
  });
});

describe('PATH narrowing', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  it('reports only the given files; cross-file rules still see the whole tree', async () => {
    const t = writeTree({
      'detections/endpoint/demo_process_detection.yml': detectionWith('risk_score: 40', 'risk_score: 41'),
      'stories/broken_story.yml': 'name: Broken Story\n',
    });
    cleanup = t.cleanup;
    const all = await validate({ root: t.root, workers: 0 });
    expect([...new Set(all.diagnostics.map((d) => d.file))].sort()).toEqual([
      'detections/endpoint/demo_process_detection.yml',
      'stories/broken_story.yml',
    ]);
    const one = await validate({ root: t.root, paths: [`${t.root}/detections`], workers: 0 });
    expect(one.diagnostics.map((d) => d.rule)).toEqual(['risk-score']);
    expect(one.files).toBe(1);
    // The detection's story exists in the (unreported) stories folder: no unknown-story.
    const rel = await validate({ root: t.root, paths: ['stories/broken_story.yml'], workers: 0 });
    expect(new Set(rel.diagnostics.map((d) => d.file))).toEqual(new Set(['stories/broken_story.yml']));
  });

  it('a PATH that does not exist is a usage error', async () => {
    const t = writeTree();
    cleanup = t.cleanup;
    await expect(validate({ root: t.root, paths: ['nope.yml'] })).rejects.toBeInstanceOf(UsageError);
    await expect(validate({ root: `${t.root}/missing` })).rejects.toBeInstanceOf(UsageError);
  });
});
