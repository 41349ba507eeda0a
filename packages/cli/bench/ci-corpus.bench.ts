/**
 * `dac ci` on a pull request against the ESCU corpus (../shared/corpus/escu copied into a temp
 * git repository, ~100 validation errors at its base): the PR adds one detection with a test and
 * its fixture. Runs the bundled CLI (`packages/cli/dist/dac.js`, `npm run build` first) twice —
 * cold (no matcher cache) and warm — and prints the wall time and each step's seconds from
 * `--format json`. The validate step includes validating the base tree (the baseline).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const repo = process.env.DAC_REPO_ROOT ?? process.cwd();
const corpus = resolve(repo, '..', 'shared', 'corpus', 'escu');
const cli = join(repo, 'packages', 'cli', 'dist', 'dac.js');
if (!existsSync(corpus) || !existsSync(cli)) {
  console.log(`ci-corpus: skipped (${existsSync(corpus) ? `no bundle at ${cli}` : `no corpus at ${corpus}`})`);
  process.exit(0);
}

/**
 * CPU seconds (user + system) of the waited-for child processes (Linux /proc/self/stat cutime +
 * cstime, clock ticks of 1/100 s), which stay comparable when other jobs load the machine.
 */
function childCpuSeconds(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return Number.NaN;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'dac-ci-bench-'));
const git = (...args: string[]) =>
  execFileSync(
    'git',
    ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', '-c', 'commit.gpgsign=false', ...args],
    {
      cwd: dir,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
try {
  cpSync(corpus, dir, { recursive: true });
  const fixture = 'test/attack_data/datasets/attack_techniques/T1572/ngrok/windows-sysmon.log';
  mkdirSync(dirname(join(dir, fixture)), { recursive: true });
  cpSync(join(repo, fixture), join(dir, fixture));
  writeFileSync(join(dir, '.gitignore'), 'dist/\nnode_modules/\n');
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'ESCU');
  git('checkout', '-q', '-b', 'pr');
  const ngrok = readFileSync(join(repo, 'detections/endpoint/windows_ngrok_reverse_proxy_usage.yml'), 'utf8');
  const tests = ngrok.slice(ngrok.indexOf('- name: True Positive Test - Sysmon EventID 1 exact rows'));
  const today = new Date().toISOString().slice(0, 10);
  writeFileSync(
    join(dir, 'detections/endpoint/windows_ngrok_tunnel_copy.yml'),
    ngrok
      .replace(/^# yaml-language-server.*\n/m, '')
      .replace(/^name: .*$/m, 'name: Windows Ngrok Tunnel Copy')
      .replace(/^id: .*$/m, 'id: 7a7e3c52-6d8e-4c2b-9f1e-2b7d1c0e4a11')
      .replace(/^version: .*$/m, 'version: 1')
      .replace(/^date: .*$/m, `date: '${today}'`)
      .replace('windows_ngrok_reverse_proxy_usage_filter', 'windows_ngrok_tunnel_copy_filter')
      .replace(
        /^tests:\n[\s\S]*$/m,
        `tests:\n${tests.slice(0, tests.indexOf('- name: True Positive Test - Windows Event Log Security 4688'))}`,
      ),
  );
  git('add', '-A');
  git('commit', '-q', '-m', 'add a detection');
  for (const run of ['cold', 'warm']) {
    const cpu0 = childCpuSeconds();
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cli, 'ci', '--base', 'main', '--format', 'json'], {
      cwd: dir,
      encoding: 'utf8',
    });
    const wall = (performance.now() - t0) / 1000;
    const cpu = childCpuSeconds() - cpu0;
    const last = r.stdout.trim().split('\n').at(-1) ?? '{}';
    const doc = JSON.parse(last) as {
      ci?: { passed: boolean; known: number; steps: { name: string; seconds: number }[] };
    };
    const steps = (doc.ci?.steps ?? []).map((s) => `${s.name} ${s.seconds.toFixed(2)} s`).join(', ');
    console.log(
      `ci-corpus (${run}): dac ci on a 1-detection PR over ESCU: ${wall.toFixed(2)} s wall, ${Number.isNaN(cpu) ? '?' : cpu.toFixed(2)} s CPU (stable under load), exit ${r.status}, passed ${doc.ci?.passed}, ${doc.ci?.known} known problems; ${steps}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
