// The README's table of the rules that fire on the ESCU corpus equals a validate run of the corpus
// (scripts/corpus-rules.mjs regenerates it; this checks it was). Corpus scale: skips without ../shared.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDac } from '../support/run-dac.js';

const repo = join(import.meta.dirname, '../..');
const corpus = join(repo, '../shared/corpus/escu');

describe.skipIf(!existsSync(corpus))('README corpus table', () => {
  let r = { code: 0, out: '', err: '' };
  beforeAll(async () => {
    r = await runDac('validate', '--content', corpus, '--format', 'json');
  });

  it('equals the rules and counts of dac validate on ../shared/corpus/escu', () => {
    expect(r.code).toBe(1);
    const check = spawnSync(process.execPath, [join(repo, 'scripts/corpus-rules.mjs'), '--check'], {
      input: r.out,
      encoding: 'utf8',
    });
    expect(check.stdout).toBe('');
    expect(check.status).toBe(0);
  });

  it('the check fails when a count differs', () => {
    const result = JSON.parse(r.out) as { diagnostics: unknown[] };
    result.diagnostics.pop();
    const check = spawnSync(process.execPath, [join(repo, 'scripts/corpus-rules.mjs'), '--check'], {
      input: JSON.stringify(result),
      encoding: 'utf8',
    });
    expect(check.status).toBe(1);
    expect(check.stdout).toMatch(/corpus table differs/);
  });
});
