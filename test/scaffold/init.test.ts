// `dac init` and `dac new`: a new content repository whose `dac ci` passes, the author's loop in
// it (new detection + fixture + changeset ⇒ the gate passes), and the generated files.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validate } from '@dac/validate';
import { runDac } from '../support/run-dac.js';
import { REPO_ROOT } from '../versioning/repo.js';

const FIXTURE = 'test/attack_data/datasets/attack_techniques/T1572/ngrok/windows-sysmon.log';
const FIXTURE_URL = `https://media.githubusercontent.com/media/splunk/attack_data/master/${FIXTURE.slice('test/attack_data/'.length)}`;
const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' };
const git = (cwd: string, ...args: string[]) =>
  execFileSync(
    'git',
    ['-c', 'user.name=dac test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args],
    {
      cwd,
      env: GIT_ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'dac-init-'));
  dirs.push(d);
  return d;
}

async function initRepo(): Promise<string> {
  const dir = join(tempDir(), 'acme-detections');
  const r = await runDac('init', dir);
  expect(r.code, r.err).toBe(0);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'new content repository');
  return dir;
}

describe('dac init', () => {
  it('writes config, package.json, changesets, workflow, editor schemas and folders; `dac ci` passes there', async () => {
    const dir = await initRepo();
    for (const f of [
      'dac.config.yaml',
      'package.json',
      '.changeset/config.json',
      '.gitignore',
      '.github/workflows/validate.yml',
      '.vscode/settings.json',
      'schemas/detection.schema.json',
      'data_sources/sysmon_eventid_1.yml',
      'macros/security_content_summariesonly.yml',
      'detections/.gitkeep',
    ])
      expect(existsSync(join(dir, f)), f).toBe(true);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: 'acme-detections', version: '0.1.0', private: true });
    expect(Object.keys(pkg.devDependencies)).toEqual(['@changesets/cli', '@dac/cli']);
    expect(parse(readFileSync(join(dir, 'dac.config.yaml'), 'utf8'))).toMatchObject({
      app: { title: 'Acme Detections', appid: 'DA-ESS-AcmeDetections', label: 'AD', version_from: 'package.json' },
    });
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toMatch(/^dist\/$/m);
    expect(JSON.parse(readFileSync(join(dir, '.vscode/settings.json'), 'utf8'))['yaml.schemas']).toMatchObject({
      './schemas/detection.schema.json': ['detections/**/*.yml'],
    });
    const ci = await runDac('ci', '--base', 'main', '--content', dir, '--format', 'text');
    expect(ci.err).toContain('dac ci: passed');
    expect(ci.code).toBe(0);
    // A second init refuses: it is a content repository already.
    const again = await runDac('init', dir);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already a content repository/);
  }, 120_000);

  it('the workflow it writes is this repository’s own; its starter files equal their originals', () => {
    const t = join(REPO_ROOT, 'templates', 'init');
    expect(readFileSync(join(t, 'validate.yml'), 'utf8')).toBe(
      readFileSync(join(REPO_ROOT, '.github/workflows/validate.yml'), 'utf8'),
    );
    for (const f of ['data_sources/sysmon_eventid_1.yml', 'macros/security_content_ctime.yml'])
      expect(readFileSync(join(t, f), 'utf8')).toBe(readFileSync(join(REPO_ROOT, f), 'utf8'));
    const wf = parse(readFileSync(join(t, 'validate.yml'), 'utf8'));
    const steps = wf.jobs.gate.steps as {
      uses?: string;
      with?: Record<string, unknown>;
      run?: string;
      env?: Record<string, string>;
    }[];
    expect(steps.find((s) => s.uses?.startsWith('actions/checkout@'))).toMatchObject({
      uses: 'actions/checkout@v5',
      with: { 'fetch-depth': 0 },
    });
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node@'))).toMatchObject({
      uses: 'actions/setup-node@v5',
      with: { 'node-version': 24 },
    });
    expect(steps.some((s) => s.env?.BEFORE === '${{ github.event.before }}' && s.run?.includes('--base "$base"'))).toBe(
      true,
    );
  });

  it('from the bundle (packages/cli/dist/dac.js), as `npx dac` runs it', () => {
    const cli = join(REPO_ROOT, 'packages/cli/dist/dac.js');
    if (!existsSync(cli)) return; // built by `npm ci` (prepare); nothing to run otherwise
    const dir = join(tempDir(), 'bundle-repo');
    const init = spawnSync(process.execPath, [cli, 'init', dir], { encoding: 'utf8' });
    expect(init.status, init.stderr).toBe(0);
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'init');
    const ci = spawnSync(process.execPath, [cli, 'ci', '--base', 'main'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GITHUB_ACTIONS: '' },
    });
    expect(ci.stderr).toContain('dac ci: passed');
    expect(ci.status).toBe(0);
  }, 120_000);
});

describe('dac new', () => {
  it('detection: a valid file (fresh id, today, version 1, $schema, filter macro, test) that passes dac test once its fixture exists, and the gate', async () => {
    const dir = await initRepo();
    git(dir, 'checkout', '-q', '-b', 'pr');
    const r = await runDac(
      'new',
      'detection',
      '--content',
      dir,
      '--name',
      'Ngrok Tunnel Started',
      '--technique',
      'T1572',
      '--process',
      'ngrok.exe',
      '--story',
      'Reverse Network Proxy',
      '--test-data',
      FIXTURE_URL,
    );
    expect(r.code, r.err).toBe(0);
    const rel = 'detections/endpoint/ngrok_tunnel_started.yml';
    const text = readFileSync(join(dir, rel), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../../schemas/detection.schema.json');
    const det = parse(text);
    expect(det).toMatchObject({
      name: 'Ngrok Tunnel Started',
      version: 1,
      date: new Date().toISOString().slice(0, 10),
    });
    expect(det.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(det.search).toContain('`ngrok_tunnel_started_filter`');
    expect(det.tests[0].attack_data[0].data).toBe(FIXTURE_URL);
    expect(parse(readFileSync(join(dir, 'macros/ngrok_tunnel_started_filter.yml'), 'utf8'))).toMatchObject({
      name: 'ngrok_tunnel_started_filter',
      definition: 'search *',
    });
    expect(existsSync(join(dir, 'stories/reverse_network_proxy.yml'))).toBe(true);
    const v = await validate({ root: dir, workers: 0 });
    expect(v.diagnostics).toEqual([]);

    // Without its data the test cannot run; with the fixture in test/attack_data/ it passes — named by its name.
    expect((await runDac('test', '--content', dir, 'Ngrok Tunnel Started')).code).toBe(1);
    mkdirSync(dirname(join(dir, FIXTURE)), { recursive: true });
    cpSync(join(REPO_ROOT, FIXTURE), join(dir, FIXTURE));
    const t = await runDac('test', '--content', dir, 'ngrok_tunnel_started');
    expect(t.out).toMatch(/PASS\s+Ngrok Tunnel Started\s+True Positive Test/);
    expect(t.code).toBe(0);

    writeFileSync(
      join(dir, '.changeset/ngrok.md'),
      '---\n"acme-detections": minor\n---\n\nAdd Ngrok Tunnel Started.\n',
    );
    const ci = await runDac('ci', '--base', 'main', '--content', dir, '--format', 'text');
    expect(ci.err).toContain('dac ci: passed');
    expect(ci.err).toMatch(/test\s+passed .*1 detection, 1 test: 1 passed/);
  }, 180_000);

  it('story, macro and data-source files validate; values cannot break the YAML', async () => {
    const dir = await initRepo();
    const hostile = 'Evil: "x"\nfoo: bar # not a key';
    expect(
      (await runDac('new', 'story', '--content', dir, '--name', 'Credential Access', '--description', hostile)).code,
    ).toBe(0);
    expect(
      (await runDac('new', 'macro', '--content', dir, '--name', 'my_helper', '--definition', 'eval x="a|b"')).code,
    ).toBe(0);
    expect(
      (
        await runDac(
          'new',
          'data-source',
          '--content',
          dir,
          '--name',
          'Zeek Conn',
          '--source',
          'zeek:conn',
          '--sourcetype',
          'bro:conn:json',
        )
      ).code,
    ).toBe(0);
    expect(parse(readFileSync(join(dir, 'stories/credential_access.yml'), 'utf8')).description).toBe(hostile);
    const v = await validate({ root: dir, workers: 0 });
    expect(v.diagnostics).toEqual([]);
  }, 120_000);

  it('on a terminal it asks for what is missing (node:readline prompts, defaults in parentheses)', async () => {
    const cli = join(REPO_ROOT, 'packages/cli/dist/dac.js');
    // util-linux `script` gives the child a pseudo-terminal; skipped where either is missing.
    if (!existsSync(cli) || spawnSync('script', ['--version']).status !== 0) return;
    const dir = await initRepo();
    const child = spawn(
      'script',
      [
        '-qec',
        `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} new macro --content ${JSON.stringify(dir)}`,
        '/dev/null',
      ],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    const answers = ['my_tty_macro', '', 'eval y=2', ''];
    const prompts = ['name: ', 'author (', 'definition (search *): ', 'description ('];
    for (let i = 0; i < answers.length; i++) {
      for (let t = 0; !out.includes(prompts[i]!) && t < 200; t++) await new Promise((r) => setTimeout(r, 25));
      child.stdin.write(`${answers[i]}\n`);
      out = out.slice(out.indexOf(prompts[i]!) + prompts[i]!.length);
    }
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(0);
    expect(parse(readFileSync(join(dir, 'macros/my_tty_macro.yml'), 'utf8'))).toEqual({
      name: 'my_tty_macro',
      definition: 'eval y=2',
      description: 'The my_tty_macro macro.',
    });
  }, 60_000);

  it('not on a terminal, a missing --name is a usage error (exit 2); an existing file is never overwritten', async () => {
    const dir = await initRepo();
    const r = await runDac('new', 'detection', '--content', dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain('dac new: --name is required when not on a terminal');
    expect((await runDac('new', 'macro', '--content', dir, '--name', 'security_content_ctime')).err).toMatch(
      /already exists/,
    );
    expect((await runDac('new', 'rule', '--content', dir, '--name', 'x')).code).toBe(2);
  }, 120_000);
});
