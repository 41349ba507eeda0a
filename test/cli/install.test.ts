// The installable CLI (issue 13, part 1): `npm pack` of packages/cli gives a tarball that,
// installed as a dev dependency of a content repository with no dac repository anywhere above it,
// gives a working `npx dac` with every asset bundled. One fresh build + pack, then one offline
// install per content repository (test/support/offline-install.ts: no network in tests).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findContentRoot } from '@dac/content';
import { installOffline } from '../support/offline-install.js';

const repo = join(import.meta.dirname, '../..');
const corpus = join(repo, '../shared/corpus/escu');
const work = mkdtempSync(join(tmpdir(), 'dac-install-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let tarball = '';

/** The environment of a user's shell: no asset override, no hint of the dac repository. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    NO_COLOR: '1',
  };
  for (const k of Object.keys(env)) if (k.startsWith('DAC_') || k.startsWith('VITEST')) delete env[k];
  return env;
}

/** `npx dac …` in `cwd`, as a user runs it. */
function npxDac(cwd: string, ...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync('npx', ['--no-install', 'dac', ...args], { cwd, encoding: 'utf8', env: userEnv() });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.email=dac@example.com', '-c', 'user.name=dac', ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A content repository under git whose first commit is `fill`'s files, with the CLI installed. */
function contentRepository(name: string, fill: (dir: string) => void): string {
  const dir = join(work, name);
  mkdirSync(dir);
  fill(dir);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'content');
  cpSync(tarball, join(dir, basename(tarball)));
  const r = installOffline(dir, join(dir, basename(tarball)), join(repo, 'package-lock.json'));
  if (r.status !== 0) throw new Error(`offline install failed:\n${r.output}`);
  // What installing adds: the manifest, the lockfile, the tarball and node_modules (.gitignore'd).
  writeFileSync(join(dir, '.gitignore'), 'node_modules/\ndist/\n*.tgz\n');
  return dir;
}

/** Files git sees as new or changed, except what installing added. */
function contentChanges(dir: string): string[] {
  return git(dir, 'status', '--porcelain', '--untracked-files=all')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(3))
    .filter((f) => !['.gitignore', 'package.json', 'package-lock.json'].includes(f));
}

beforeAll(() => {
  // The premise: nothing above the temp folder is a content root (or the lookup proves nothing).
  expect(findContentRoot(work)).toBeUndefined();
  // A fresh build into a staging copy of the package, so packages/cli/dist (other tests') is untouched.
  const stage = join(work, 'cli-package');
  for (const f of ['package.json', 'bin', 'LICENSE'])
    cpSync(join(repo, 'packages/cli', f), join(stage, f), { recursive: true });
  const build = spawnSync(process.execPath, [join(repo, 'scripts/build.mjs')], {
    encoding: 'utf8',
    env: { ...process.env, DAC_BUILD_OUT: join(stage, 'dist') },
  });
  if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
  const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], {
    cwd: stage,
    encoding: 'utf8',
    env: userEnv(),
  });
  if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  tarball = join(work, pack.stdout.trim().split('\n').pop()!);
});

describe('the packed CLI', () => {
  it('holds the bundle, its workers and every asset; no TypeScript sources of the monorepo', () => {
    const list = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    expect(basename(tarball)).toBe('dac-cli-0.1.0.tgz');
    for (const f of [
      'package/bin/dac.js',
      'package/dist/dac.js',
      'package/dist/validate-check.worker.js',
      // The licences of the third-party code bundled into dist/*.js (scripts/build.mjs).
      'package/dist/THIRD-PARTY-LICENSES.txt',
      'package/LICENSE',
      'package/dist/assets/schemas/detection.schema.json',
      'package/dist/assets/schemas/datamodels/Endpoint.json',
      'package/dist/assets/schemas/cim/macros.conf',
      'package/dist/assets/schemas/attack/mitre_enrichment.csv',
      'package/dist/assets/templates/savedsearches.conf.hbs',
      'package/dist/assets/packages/matchers/src/runtime.ts',
    ])
      expect(list).toContain(f);
    expect(list.filter((f) => /^package\/(src|packages)\//.test(f))).toEqual([]);
  });
});

describe('installed into a content repository (the dac repository content, copied)', () => {
  let dir = '';
  beforeAll(() => {
    dir = contentRepository('content', (d) => {
      // schemas/: the files' $schema comments point there (the schema-comment rule checks they resolve).
      for (const f of ['detections', 'macros', 'stories', 'data_sources', 'schemas'])
        cpSync(join(repo, f), join(d, f), { recursive: true });
      // The attack data the tests replay (a symlink in the repository: copied as the file).
      cpSync(join(repo, 'test/attack_data'), join(d, 'test/attack_data'), { recursive: true, dereference: true });
      writeFileSync(
        join(d, 'dac.config.yaml'),
        'app:\n  appid: DA-ESS-ContentUpdate\n  title: ES Content Updates\n  label: ESCU\n  version: 1.0.0\n  description: Demo content.\nrules: {}\n',
      );
    });
  });

  it('dac --version prints the package version', () => {
    const r = npxDac(dir, '--version');
    expect([r.code, r.out.trim()]).toEqual([0, '0.1.0']);
  });

  it('validate from a subfolder finds the content root above it; paths relative to the folder', () => {
    const r = npxDac(join(dir, 'detections/endpoint'), 'validate');
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^13 files checked: 0 errors, 0 warnings/);
    expect(r.code).toBe(0);
  });

  it('test replays the attack data through the typed matchers', () => {
    const r = npxDac(dir, 'test');
    expect(r.out).toMatch(/5 test\(s\): 5 passed, 0 failed, 0 errors/);
    expect(r.code).toBe(0);
  });

  it('build writes the app to dist/', () => {
    const r = npxDac(dir, 'build');
    expect(r.code).toBe(0);
    expect(readdirSync(join(dir, 'dist'))).toContain('DA-ESS-ContentUpdate-1.0.0.tar.gz');
  });

  it('ci --base HEAD passes', () => {
    const r = npxDac(dir, 'ci', '--base', 'HEAD');
    expect(`${r.out}${r.err}`).toMatch(/dac ci: passed/);
    expect(r.code).toBe(0);
  });

  it('compile writes to dist/; nothing was written into the content folders', () => {
    expect(npxDac(dir, 'compile').code).toBe(0);
    expect(existsSync(join(dir, 'dist/matchers/windows_ngrok_reverse_proxy_usage.ts'))).toBe(true);
    expect(contentChanges(dir).filter((f) => !f.startsWith('dist/') && !f.startsWith('node_modules/'))).toEqual([]);
  });

  it('outside any content root: one line and exit 2', () => {
    const outside = join(work, 'not-content');
    mkdirSync(outside, { recursive: true });
    const r = spawnSync(join(dir, 'node_modules/.bin/dac'), ['validate'], {
      cwd: outside,
      encoding: 'utf8',
      env: userEnv(),
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^dac validate: no content root: neither dac.config.yaml nor contentctl.yml in .*\n$/);
  });
});

// Corpus scale: a copy of the real ESCU checkout (contentctl.yml, no dac.config.yaml).
describe.skipIf(!existsSync(corpus))('installed into a copy of the ESCU corpus', () => {
  let dir = '';
  const attackData = join(work, 'attack_data');
  beforeAll(() => {
    dir = contentRepository('escu', (d) => cpSync(corpus, d, { recursive: true }));
    // A local "attack_data clone" beside it: the repository's hand-written ngrok files at their upstream paths.
    cpSync(join(repo, 'test/attack_data/datasets'), join(attackData, 'datasets'), {
      recursive: true,
      dereference: true,
    });
  });

  it('validate reports the corpus defects (exit 1), no usage or internal error', () => {
    const r = npxDac(join(dir, 'detections'), 'validate');
    expect(r.err).toBe('');
    expect(r.out).toMatch(/\n1909 files checked: \d+ errors, \d+ warnings/);
    expect(r.code).toBe(1);
  });

  it('test of one detection against a local attack_data clone passes', () => {
    const r = npxDac(
      dir,
      'test',
      'detections/endpoint/windows_ngrok_reverse_proxy_usage.yml',
      '--attack-data',
      attackData,
    );
    expect(r.out).toMatch(/1 test\(s\): 1 passed, 0 failed, 0 errors/);
    expect(r.code).toBe(0);
  });

  it('build --skip-invalid builds the app', () => {
    const r = npxDac(dir, 'build', '--skip-invalid');
    expect(r.code).toBe(0);
    expect(readdirSync(join(dir, 'dist')).some((f) => f.endsWith('-latest.tar.gz'))).toBe(true);
  });

  it('ci --base HEAD runs every step to its summary (no usage or internal error)', () => {
    const r = npxDac(dir, 'ci', '--base', 'HEAD');
    const all = `${r.out}${r.err}`;
    expect(all).toMatch(/dac ci summary/);
    expect(all).not.toMatch(/internal error/);
    expect([0, 1]).toContain(r.code);
    expect(contentChanges(dir).filter((f) => !f.startsWith('dist/') && !f.startsWith('node_modules/'))).toEqual([]);
    // Every step over the whole corpus (compile now also type-checks 418 raw-search matchers):
    // ~50 s wall on the 2-core machine at load 10, so the default 60 s is too tight.
  }, 180_000);
});
