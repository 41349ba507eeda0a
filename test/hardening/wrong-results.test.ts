// Issue 12 case 7 (content part): values main accepted or wrote raw. A copy of this repository's
// own content (the ngrok detection and what it needs) is changed one value at a time and run
// through `dac validate` and `dac build` in-process.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDac } from '../support/run-dac.js';
import { NGROK_REL, REPO_ROOT } from '../versioning/repo.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A content root holding this repository's content; `edit` changes the ngrok detection's text. */
function contentWith(edit?: (yaml: string) => string): string {
  dir = mkdtempSync(join(tmpdir(), 'dac-wrong-'));
  for (const f of ['detections', 'macros', 'stories', 'data_sources', 'lookups'])
    if (existsSync(join(REPO_ROOT, f))) cpSync(join(REPO_ROOT, f), join(dir, f), { recursive: true });
  cpSync(join(REPO_ROOT, 'dac.config.yaml'), join(dir, 'dac.config.yaml'));
  mkdirSync(join(dir, 'packages/app'), { recursive: true });
  cpSync(join(REPO_ROOT, 'packages/app/package.json'), join(dir, 'packages/app/package.json'));
  if (!edit) return dir;
  const path = join(dir, NGROK_REL);
  const before = readFileSync(path, 'utf8');
  const after = edit(before);
  expect(after).not.toBe(before);
  writeFileSync(path, after);
  return dir;
}

const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('issue 12 case 7: values that must be refused', () => {
  it('version: 1234567890123456789012345678 is rejected (integer within 2^53 - 1, the exact-integer range)', async () => {
    const root = contentWith((t) => t.replace(/^version: \d+$/m, 'version: 1234567890123456789012345678'));
    const r = await runDac('validate', '--content', root);
    expect(r.code).toBe(1);
    const line = lineOf(readFileSync(join(root, NGROK_REL), 'utf8'), 'version: 1234');
    expect(r.out).toMatch(
      new RegExp(`windows_ngrok_reverse_proxy_usage\\.yml:${line}:10: error: .*9007199254740991.*\\[schema\\]`),
    );
  });

  it('the config schema bounds limits: and rejects unknown limit names', async () => {
    const root = contentWith();
    writeFileSync(
      join(root, 'dac.config.yaml'),
      `${readFileSync(join(root, 'dac.config.yaml'), 'utf8')}limits:\n  json_depth: 0\n  no_such_limit: 3\n`,
    );
    const r = await runDac('validate', '--content', root);
    expect(r.out).toMatch(/dac\.config\.yaml:\d+:\d+: error: .*json_depth.*\[schema\]/);
    expect(r.out).toMatch(/dac\.config\.yaml:\d+:\d+: error: .*no_such_limit.*\[schema\]/);
  });

  for (const [name, yamlEscape, code] of [
    ['NUL', '\\0', 'U+0000 (NUL)'],
    ['VT', '\\v', 'U+000B (VT)'],
    ['FF', '\\f', 'U+000C (FF)'],
  ] as const) {
    it(`${name} in a field is a positioned validation error and never reaches savedsearches.conf (refused, not escaped)`, async () => {
      // YAML double-quoted escapes put the raw control character into the value.
      const root = contentWith((t) =>
        t.replace(/^description: .*$/m, `description: "Ngrok use${yamlEscape}detected. Second sentence."`),
      );
      const v = await runDac('validate', '--content', root);
      expect(v.code).toBe(1);
      const line = lineOf(readFileSync(join(root, NGROK_REL), 'utf8'), 'description: "Ngrok');
      // Column of the character itself: `description: "` is 14 characters, `Ngrok use` 9 more.
      expect(v.out).toContain(
        `windows_ngrok_reverse_proxy_usage.yml:${line}:24: error: description contains the control character ${code}`,
      );
      expect(v.out).toMatch(/\[conf-control-character\]/);

      const out = join(root, 'dist');
      const b = await runDac('build', '--content', root, '--out', out);
      expect(`${b.out}${b.err}`).not.toMatch(/internal error|\n\s+at /);
      for (const f of existsSync(out) ? readdirSync(out, { recursive: true }) : []) {
        const p = join(out, String(f));
        if (String(f).endsWith('.conf')) expect(readFileSync(p, 'latin1')).not.toMatch(/[\0\v\f]/);
      }
    }, 60_000);
  }
});

describe('issue 12 case 6: lookup size', () => {
  it('a lookup over limits.lookup_bytes is refused by `dac build` with a message naming the limit, no stack trace', async () => {
    const root = contentWith();
    mkdirSync(join(root, 'lookups'), { recursive: true });
    writeFileSync(
      join(root, 'lookups', 'big_hosts.yml'),
      'name: big_hosts\ndescription: hosts\nfilename: big_hosts.csv\n',
    );
    writeFileSync(join(root, 'lookups', 'big_hosts.csv'), `host,owner\n${'a,b\n'.repeat(100)}`);
    writeFileSync(
      join(root, 'dac.config.yaml'),
      `${readFileSync(join(root, 'dac.config.yaml'), 'utf8')}limits:\n  lookup_bytes: 100\n`,
    );
    const b = await runDac('build', '--content', root, '--out', join(root, 'dist'));
    expect(b.code).toBe(1);
    expect(`${b.out}${b.err}`).toMatch(
      /lookup file lookups\/big_hosts\.csv is 411 bytes; the limit is 100 bytes \(raise it with limits\.lookup_bytes in dac\.config\.yaml/,
    );
    expect(`${b.out}${b.err}`).not.toMatch(/internal error|ERR_FS_FILE_TOO_LARGE|\n\s+at /);
  });

  it('version-check hashes lookup CSVs by streaming: the same blob id as git computes from the bytes', async () => {
    const { gitBlobId, gitBlobIdOfFile } = await import('../../packages/versioning/src/git.js');
    dir = mkdtempSync(join(tmpdir(), 'dac-blob-'));
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 17, 'x,y\n');
    writeFileSync(join(dir, 'l.csv'), bytes);
    expect(gitBlobIdOfFile(join(dir, 'l.csv'))).toBe(gitBlobId(bytes));
  });
});
