// `dac` finds its content root from the working folder (issue 13, part 1): the nearest folder
// upwards with dac.config.yaml or contentctl.yml; --content overrides; none → one line, exit 2.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import cliPackage from '../../packages/cli/package.json';
import { runDac } from '../support/run-dac.js';

const fixture = join(import.meta.dirname, '../fixtures/escu-real');
const tmp = mkdtempSync(join(tmpdir(), 'dac-content-root-'));
const home = process.cwd();
afterEach(() => process.chdir(home));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the content root', () => {
  it('is found above the working folder (an ESCU checkout: contentctl.yml)', async () => {
    process.chdir(join(fixture, 'detections', 'network'));
    const r = await runDac('validate', '--format', 'json');
    const out = JSON.parse(r.out) as { summary: { files: number } };
    expect(out.summary.files).toBe(35);
    expect(r.code).toBe(1);
  });

  it('outside any content root: one line naming the folder, exit 2; --content still works there', async () => {
    const outside = join(tmp, 'empty');
    mkdirSync(outside);
    process.chdir(outside);
    for (const cmd of ['validate', 'build', 'compile', 'test']) {
      const r = await runDac(cmd);
      expect(r.code).toBe(2);
      expect(r.err).toBe(
        `dac ${cmd}: no content root: neither dac.config.yaml nor contentctl.yml in ${outside} or a folder above it; run dac inside a content repository, or give --content DIR\n`,
      );
    }
    expect((await runDac('validate', '--content', fixture, '--format', 'json')).code).toBe(1);
  });

  it('dac --version prints the CLI package version', async () => {
    const r = await runDac('--version');
    expect([r.code, r.out]).toEqual([0, `${cliPackage.version}\n`]);
  });
});
