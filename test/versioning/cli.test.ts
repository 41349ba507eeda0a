// `dac version-check` output shapes and exit codes, run in-process through commander programs
// that hold only the commands under test; `dac ci` has its own tests in test/gate/.
import { relative, sep } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadContent } from '@dac/content';
import { affectedDetections, checkVersions, lookupsIn, macrosIn } from '@dac/versioning';
import { versionCheckCommand } from '../../packages/cli/src/commands/version-check.js';
import type { DacCommand } from '../../packages/cli/src/program.js';
import { makeRepo, NGROK_REL, type TempRepo } from './repo.js';

/** A path as the CLI prints it: relative to the current folder. */
const shown = (abs: string) => relative(process.cwd(), abs).split(sep).join('/');

// "Today" for the date rules is a fixed clock, not the wall clock: only Date is faked (timers,
// performance.now and child processes are real), so the CLI's `new Date()` reads this instant.
const NOW = new Date('2025-01-15T12:00:00Z');
const TODAY = '2025-01-15';
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: NOW });
});

let repo: TempRepo | undefined;
afterEach(() => {
  vi.useRealTimers();
  repo?.dispose();
  repo = undefined;
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const programOf = (commands: DacCommand[]) => (setExit: (code: number) => void) => {
  const p = new Command('dac').exitOverride();
  for (const c of commands) c.register(p, setExit);
  return p;
};

/** Runs argv through a program and captures stdout, stderr and the exit code. */
async function runCli(
  commands: DacCommand[],
  argv: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    stdout += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  });
  let code = 0;
  try {
    await programOf(commands)((c) => (code = Math.max(code, c))).parseAsync(['node', 'dac', ...argv]);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    code = e.exitCode === 0 ? 0 : 2;
  } finally {
    vi.restoreAllMocks();
  }
  return { code, stdout, stderr };
}

const changeSearch = (r: TempRepo) => r.edit(NGROK_REL, (t) => t.replace('"*tcp*")', '"*tcp*", "*tls*")'));
describe('dac version-check (CLI)', () => {
  it('text: path:line:col: error: message [rule] and a summary; exit 1', async () => {
    repo = makeRepo();
    changeSearch(repo);
    repo.addChangeset('tls', 'patch');
    const r = await runCli([versionCheckCommand], ['version-check', '--base', 'main', '--content', repo.dir]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      `${shown(repo.path(NGROK_REL))}:4:1: error: version must be 6: the detection changed since main, where it is version 5 [version-bump]`,
    );
    expect(lines[1]).toMatch(
      new RegExp(`^${shown(repo.path(NGROK_REL))}:5:1: error: date must be ${TODAY}: .* \\[version-date\\]$`),
    );
    expect(lines.at(-1)).toMatch(
      /^version-check: 1 detection compared with main \([0-9a-f]{12}\): 1 changed, 0 new, 0 removed, 0 unchanged; .*2 errors, 0 warnings/,
    );
  });

  it('json: {diagnostics, summary}; github: ::error annotations; exit 0 once fixed with --fix', async () => {
    repo = makeRepo();
    changeSearch(repo);
    repo.addChangeset('tls', 'patch');
    const j = await runCli(
      [versionCheckCommand],
      ['version-check', '--base', 'main', '--content', repo.dir, '--format', 'json'],
    );
    const parsed = JSON.parse(j.stdout) as { diagnostics: unknown[]; summary: Record<string, unknown> };
    expect(parsed.diagnostics[0]).toEqual({
      file: NGROK_REL,
      line: 4,
      column: 1,
      severity: 'error',
      rule: 'version-bump',
      message: 'version must be 6: the detection changed since main, where it is version 5',
    });
    expect(parsed.summary).toMatchObject({
      errors: 2,
      warnings: 0,
      suggestedBump: 'patch',
      detections: { compared: 1, changed: 1 },
    });

    const g = await runCli(
      [versionCheckCommand],
      ['version-check', '--base', 'main', '--content', repo.dir, '--format', 'github'],
    );
    expect(g.stdout).toMatch(
      /::error file=[^,]*windows_ngrok_reverse_proxy_usage\.yml,line=4,col=1,title=dac version-bump::version must be 6/,
    );

    const f = await runCli([versionCheckCommand], ['version-check', '--base', 'main', '--content', repo.dir, '--fix']);
    expect(f.code).toBe(0);
    expect(f.stdout).toContain(`${shown(repo.path(NGROK_REL))}:4:10: fixed: version 5 → 6`);
    expect(f.stdout).toContain(`fixed: date '2024-09-30' → '${TODAY}'`);
  });

  it('usage/environment errors: a clear message, no stack trace, exit 2', async () => {
    repo = makeRepo();
    const r = await runCli(
      [versionCheckCommand],
      ['version-check', '--base', 'origin/feature-x', '--content', repo.dir],
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^dac version-check: error: unknown base ref "origin\/feature-x".*`git fetch origin origin\/feature-x`/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const missing = await runCli([versionCheckCommand], ['version-check', '--content', repo.dir]);
    expect(missing.code).toBe(2);
  });
});

describe('affected detections (what dac ci tests)', () => {
  it('finds macros and lookups in SPL text', () => {
    expect(
      macrosIn('| tstats `security_content_summariesonly` x | `drop_dm_object_name(Processes)` | `a_filter`'),
    ).toEqual(['security_content_summariesonly', 'drop_dm_object_name', 'a_filter']);
    expect(
      lookupsIn('| lookup update=true ngrok_hosts host OUTPUT x | inputlookup "other.csv" | search lookup=1'),
    ).toEqual(['ngrok_hosts', 'other.csv']);
  });

  it('a nested macro change (summariesonly_config inside security_content_summariesonly) affects the ngrok detection', () => {
    repo = makeRepo();
    repo.edit('macros/summariesonly_config.yml', (t) => t.replace('definition: "false"', 'definition: "true"'));
    const result = checkVersions({ contentRoot: repo.dir, base: 'main' });
    const affected = affectedDetections(loadContent(repo.dir), result);
    expect(affected).toEqual([
      { file: NGROK_REL, name: 'Windows Ngrok Reverse Proxy Usage', reasons: ['macro summariesonly_config'] },
    ]);
  });

  it('a data source change affects the detections that name it; nothing changed ⇒ nothing affected', () => {
    repo = makeRepo();
    expect(affectedDetections(loadContent(repo.dir), checkVersions({ contentRoot: repo.dir, base: 'main' }))).toEqual(
      [],
    );
    repo.write(
      'data_sources/sysmon_eventid_1.yml',
      'name: Sysmon EventID 1\nid: 1\ndescription: x\nsource: s\nsourcetype: st\n',
    );
    const affected = affectedDetections(loadContent(repo.dir), checkVersions({ contentRoot: repo.dir, base: 'main' }));
    expect(affected.map((a) => a.reasons)).toEqual([['data source Sysmon EventID 1']]);
  });
});

describe('affected detections through Splunk macro expansion (@dac/spl)', () => {
  it('a macro removed by the change still marks the detections that call it', () => {
    repo = makeRepo();
    repo.remove('macros/security_content_ctime.yml');
    const affected = affectedDetections(loadContent(repo.dir), checkVersions({ contentRoot: repo.dir, base: 'main' }));
    expect(affected).toMatchObject([{ file: NGROK_REL, reasons: ['macro security_content_ctime'] }]);
  });

  it('a lookup used inside a macro definition is found in the expanded search', () => {
    repo = makeRepo();
    repo.edit('macros/security_content_ctime.yml', (t) =>
      t.replace(/^definition: (.*)$/m, 'definition: $1 | lookup ngrok_hosts host OUTPUT owner'),
    );
    repo.commitAll('macro uses a lookup');
    repo.write('lookups/ngrok_hosts.yml', 'name: ngrok_hosts\ndescription: hosts\nfilename: ngrok_hosts.csv\n');
    repo.write('lookups/ngrok_hosts.csv', 'host,owner\na,b\n');
    const affected = affectedDetections(loadContent(repo.dir), checkVersions({ contentRoot: repo.dir, base: 'main' }));
    expect(affected).toMatchObject([{ file: NGROK_REL, reasons: ['lookup ngrok_hosts'] }]);
  });
});
