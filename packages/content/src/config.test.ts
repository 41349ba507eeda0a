import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from './diagnostic.js';
import { applyRuleSettings, findContentRoot } from './config.js';

const tmp = mkdtempSync(join(tmpdir(), 'dac-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('findContentRoot', () => {
  // Like git looking for .git: the nearest folder upwards that has the marker file.
  it('walks up to the nearest dac.config.yaml or contentctl.yml', () => {
    const outer = join(tmp, 'outer');
    const inner = join(outer, 'packs', 'inner');
    mkdirSync(join(inner, 'detections', 'endpoint'), { recursive: true });
    writeFileSync(join(outer, 'contentctl.yml'), 'app: {}\n');
    writeFileSync(join(inner, 'dac.config.yaml'), 'app: {}\n');
    expect(findContentRoot(join(inner, 'detections', 'endpoint'))).toBe(inner);
    expect(findContentRoot(inner)).toBe(inner);
    expect(findContentRoot(join(outer, 'packs'))).toBe(outer);
  });

  it('is undefined when no folder up to the file-system root has one', () => {
    const lone = join(tmp, 'lone', 'a');
    mkdirSync(lone, { recursive: true });
    expect(findContentRoot(tmp)).toBeUndefined();
    expect(findContentRoot(lone)).toBeUndefined();
  });
});

describe('applyRuleSettings', () => {
  const d = (rule: string, severity: 'error' | 'warning'): Diagnostic => ({
    file: 'f.yml',
    line: 1,
    column: 1,
    rule,
    severity,
    message: rule,
  });
  it('drops `off` rules, replaces the severity of the others, keeps unlisted rules as they are', () => {
    const out = applyRuleSettings([d('a', 'error'), d('b', 'error'), d('c', 'warning'), d('constructor', 'error')], {
      a: 'off',
      b: 'warning',
    });
    expect(out.map((x) => `${x.rule}:${x.severity}`)).toEqual(['b:warning', 'c:warning', 'constructor:error']);
  });
});
