// `dac ci` on small committed content (this repository's ngrok detection, macros, config and
// fixtures in a throw-away git repository): the baseline, annotations only for the change's
// files, positioned test failures, the step summary and the JSON result. Always runs.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { todayUtc } from '@dac/versioning';
import { runDac } from '../support/run-dac.js';
import { makeRepo, NGROK_REL, otherDetection, REPO_ROOT, type TempRepo } from '../versioning/repo.js';

const OTHER_REL = 'detections/endpoint/windows_ngrok_config_usage.yml';
const OTHER_ID = '4f1d2c3b-5a69-4e7d-8c9b-0a1b2c3d4e5f';

let repo: TempRepo | undefined;
let summaryDir: string | undefined;
afterEach(() => {
  repo?.dispose();
  repo = undefined;
  if (summaryDir) rmSync(summaryDir, { recursive: true, force: true });
  summaryDir = undefined;
  vi.unstubAllEnvs();
});

/**
 * A repository whose main already holds a known problem: a second detection whose `tags.message`
 * names a field the search does not output (message-token). The fixtures of the ngrok tests are there too.
 */
function repoWithKnownProblem(): TempRepo {
  const r = makeRepo();
  // dereference: test/attack_data links a fixture to test/logs, which the copy does not hold.
  for (const dir of ['test/attack_data', 'stories', 'data_sources', 'schemas'])
    cpSync(join(REPO_ROOT, dir), r.path(dir), { recursive: true, dereference: true });
  r.write('.gitignore', 'dist/\nnode_modules/\n');
  r.write(OTHER_REL, otherDetection(OTHER_ID).replace('by user $user$.', 'by user $user$ on $no_such_field$.'));
  r.commitAll('second detection (with a known problem)');
  return r;
}

/** Changes the ngrok search, bumps it and adds the changeset: a correct change. */
function changeNgrok(r: TempRepo): void {
  r.edit(NGROK_REL, (t) =>
    t
      .replace('"*tcp*")', '"*tcp*", "*tls*")')
      .replace(/^version: 5$/m, 'version: 6')
      .replace("date: '2024-09-30'", `date: '${todayUtc()}'`),
  );
  r.addChangeset('tls', 'patch');
}

async function ci(...extra: string[]) {
  summaryDir ??= mkdtempSync(join(tmpdir(), 'dac-ci-summary-'));
  const summary = join(summaryDir, 'summary.md');
  rmSync(summary, { force: true });
  vi.stubEnv('GITHUB_STEP_SUMMARY', summary);
  const r = await runDac('ci', '--base', 'main', '--content', repo!.dir, ...extra);
  let md = '';
  try {
    md = readFileSync(summary, 'utf8');
  } catch {}
  return { ...r, summary: md };
}

const annotations = (out: string) => out.split('\n').filter((l) => /^::(error|warning|notice)/.test(l));

describe('dac ci baseline', () => {
  it('passes a correct change while a problem from the base remains; --strict fails on it', async () => {
    repo = repoWithKnownProblem();
    changeNgrok(repo);
    const r = await ci('--format', 'github');
    expect(r.err).toContain('dac ci: passed');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/validate\s+passed .*0 new errors, 0 new warnings, 1 already at the base/);
    expect(r.err).toMatch(/test\s+passed .*1 detection, 5 tests: 5 passed/);
    // The known problem is in a file the change did not touch: no annotation at all.
    expect(annotations(r.out)).toEqual([]);
    expect(r.summary).toContain('1 problem was already present at the base and not counted.');

    const strict = await ci('--format', 'github', '--strict');
    expect(strict.code).toBe(1);
    expect(strict.err).toMatch(/validate\s+failed .*1 new error/);
  }, 120_000);

  it('a known problem stays known when its detection moves and lines are inserted above it; a new one in it is annotated', async () => {
    repo = repoWithKnownProblem();
    repo.git('checkout', '-q', '-b', 'pr');
    const moved = 'detections/network/windows_ngrok_config_usage.yml';
    repo.move(OTHER_REL, moved);
    repo.edit(moved, (t) =>
      t.replace(/^references:\n/m, 'references:\n- https://example.com/a\n- https://example.com/b\n'),
    );
    repo.commitAll('wip');
    // …then a second (new) problem in the same file: the message names another unknown token.
    repo.edit(moved, (t) => t.replace('on $no_such_field$.', 'on $no_such_field$ via $other_missing$.'));
    const r = await ci('--format', 'github');
    expect(r.code).toBe(1);
    // (version-check also wants a bump and a changeset for the changed detection; not the point here.)
    const a = annotations(r.out).filter((l) => l.includes('title=dac message-token'));
    // New: the $other_missing$ token; known (a notice): the $no_such_field$ one, though on another line now.
    expect(a.filter((l) => l.startsWith('::error'))).toHaveLength(1);
    expect(a.find((l) => l.startsWith('::error'))).toMatch(
      /network\/windows_ngrok_config_usage\.yml,line=\d+,col=\d+,title=dac message-token::.*other_missing/,
    );
    expect(a.filter((l) => l.startsWith('::notice'))).toHaveLength(1);
    expect(a.find((l) => l.startsWith('::notice'))).toMatch(/::already at the base: .*no_such_field/);
  }, 120_000);

  it('a macro change that breaks an unchanged detection fails the gate; the problem is listed, not annotated', async () => {
    repo = repoWithKnownProblem();
    repo.edit('macros/security_content_ctime.yml', (t) =>
      t.replace(
        /^definition: .*$/m,
        'definition: \'convert timeformat="%Y-%m-%dT%H:%M:%S" ctime($field$) | eval x=(\'',
      ),
    );
    repo.addChangeset('macro', 'patch');
    const r = await ci('--format', 'github');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/validate\s+failed/);
    const a = annotations(r.out);
    // Only the macro file itself is the change's; the detections it breaks are not annotated.
    for (const l of a) expect(l).toMatch(/file=[^,]*macros\/security_content_ctime\.yml/);
    expect(r.out).toMatch(/windows_ngrok_reverse_proxy_usage\.yml:\d+:\d+: error: /);
    expect(r.summary).toMatch(/windows_ngrok_reverse_proxy_usage\.yml:\d+:\d+` \(not in the change\) \| error/);
  }, 120_000);
});

describe('dac ci reports', () => {
  it('a failing test is an annotation at its tests: entry; the summary lists detections and tests', async () => {
    repo = repoWithKnownProblem();
    changeNgrok(repo);
    repo.edit(NGROK_REL, (t) => t.replace('expected_rows: 6', 'expected_rows: 7'));
    const r = await ci('--format', 'github');
    expect(r.code).toBe(1);
    const text = repo.read(NGROK_REL).split('\n');
    const line = text.findIndex((l) => l.includes('- name: True Positive Test - Sysmon EventID 1 exact rows')) + 1;
    expect(annotations(r.out)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^::error file=[^,]*windows_ngrok_reverse_proxy_usage\\.yml,line=${line},col=9,title=dac test-failed::test "True Positive Test - Sysmon EventID 1 exact rows" failed`,
        ),
      ),
    ]);
    expect(r.summary).toContain('| step | result | time | detail |');
    expect(r.summary).toContain(`| Windows Ngrok Reverse Proxy Usage | \`${NGROK_REL}\` | changed |`);
    expect(r.summary).toMatch(
      /\| ❌ failed \| Windows Ngrok Reverse Proxy Usage \| True Positive Test \\\\?- Sysmon EventID 1 exact rows \| 6\/7 \|/,
    );
    expect(r.summary).toMatch(/\| ✅ passed \| Windows Ngrok Reverse Proxy Usage \| True Positive Test \|/);
  }, 120_000);

  it('--format json: one document with the steps and every problem, fresh or known', async () => {
    repo = repoWithKnownProblem();
    const r = await ci('--format', 'json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out.trim().split('\n').at(-1)!) as { ci: Record<string, unknown> };
    expect(doc.ci).toMatchObject({
      base: 'main',
      passed: true,
      known: 1,
      steps: [
        { name: 'validate', status: 'passed' },
        { name: 'compile', status: 'passed' },
        { name: 'version-check', status: 'passed' },
        { name: 'test', status: 'skipped' },
        { name: 'build', status: 'passed' },
      ],
      problems: [{ step: 'validate', fresh: false, inChange: false, rule: 'message-token', file: OTHER_REL }],
    });
  }, 120_000);

  it('an unknown base: exit 2 with the remedy, the other steps still run', async () => {
    repo = repoWithKnownProblem();
    const r = await runDac('ci', '--base', 'origin/nope', '--content', repo.dir, '--format', 'text');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/version-check: unknown base ref "origin\/nope".*git fetch/);
    expect(r.err).toMatch(/build\s+(passed|failed)/);
    expect(r.err).not.toMatch(/\n\s+at /);
  }, 120_000);
});
