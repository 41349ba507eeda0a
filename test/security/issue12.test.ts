// Issue 12 ("hardening: hostile content trees"), cases 1, 2, 3, 4, 8 and 9: each reproduced as an
// attacker would on a pull request, and kept as a regression test (each failed on main before the
// @dac/fs layer, the sealed user-folder caches and the build's dependency check).
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clearMatcherCaches } from '@dac/matchers';
import { runDac } from '../support/run-dac.js';
import { makeRepo, NGROK_REL, NGROK_TEXT } from '../versioning/repo.js';
import { allOutput, buildContent, ngrokContent, scratch, snapshot } from './helpers.js';

const tmp = scratch('issue12');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const NGROK_LOG = 'test/attack_data/datasets/attack_techniques/T1572/ngrok/windows-sysmon.log';

/** Every cache entry under `dir`: its generated JavaScript gets a payload that writes `marker`. */
function poisonCaches(dir: string, marker: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  const payload = `process.getBuiltinModule("fs").writeFileSync(${JSON.stringify(marker)}, "pwned");\n`;
  const mutate = (v: unknown): unknown => {
    if (typeof v === 'string') {
      // A nested JSON text (the sealed entry format keeps the value as text) holding generated JS.
      if (/^\s*\{/.test(v) && v.includes('"js"')) {
        try {
          return JSON.stringify(mutate(JSON.parse(v)));
        } catch {
          return v;
        }
      }
      return v;
    }
    if (Array.isArray(v)) return v.map(mutate);
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = k === 'js' && typeof x === 'string' ? payload + x : mutate(x);
      return o;
    }
    return v;
  };
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.json')) {
        const before = readFileSync(p, 'utf8');
        const after = JSON.stringify(mutate(JSON.parse(before)));
        if (after !== before) {
          writeFileSync(p, after);
          n++;
        }
      }
    }
  };
  walk(dir);
  return n;
}

function copyTree(from: string, to: string): void {
  if (!existsSync(from)) return;
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const p = join(from, name);
    if (statSync(p).isDirectory()) copyTree(p, join(to, name));
    else writeFileSync(join(to, name), readFileSync(p));
  }
}

describe('issue 12 case 1: a poisoned matcher cache never runs', () => {
  it('dac compile, test and replay ignore edited and planted cache entries (no code runs, results stay right)', async () => {
    const root = ngrokContent(join(tmp, 'case1'));
    const marker = join(tmp, 'case1-PWNED');
    // A cache folder of this test's own, so that only this run's entries are in it.
    const savedCacheDir = process.env.DAC_CACHE_DIR;
    process.env.DAC_CACHE_DIR = join(tmp, 'case1-cache');
    try {
      // dac compile fills the matcher cache (dac test and replay run the search engine since issue 10).
      const first = await runDac('compile', '--content', root);
      expect(first.code).toBe(0);
      const userCache = process.env.DAC_CACHE_DIR!;
      const inTree = join(root, 'node_modules', '.cache', 'dac-matchers');
      // The attacker edits every entry they can reach, and commits copies into the content tree.
      const poisoned = poisonCaches(userCache, marker) + poisonCaches(inTree, marker);
      expect(poisoned).toBeGreaterThan(0);
      copyTree(join(userCache, 'matchers'), inTree);
      clearMatcherCaches();
      const again = await runDac('compile', '--content', root);
      clearMatcherCaches();
      const test = await runDac('test', '--content', root);
      const replay = await runDac(
        'replay',
        '--content',
        root,
        '--detection',
        join(root, 'detections/endpoint/windows_ngrok_reverse_proxy_usage.yml'),
        '--sourcetype',
        'XmlWinEventLog',
        join(root, NGROK_LOG),
      );
      expect(existsSync(marker)).toBe(false);
      expect(again.code).toBe(0);
      expect(again.err).toMatch(/1 of 1 tstats-from-datamodel detections compiled/);
      expect(test.code).toBe(0);
      expect(replay.code).toBe(0);
      expect(replay.out.trim().split('\n')).toHaveLength(6);
    } finally {
      process.env.DAC_CACHE_DIR = savedCacheDir;
    }
  });
});

describe('issue 12 case 2: nothing outside the content root is read', () => {
  const secretDir = join(tmp, 'case2-outside');
  mkdirSync(secretDir, { recursive: true });
  const secret = join(secretDir, 'shadow');
  writeFileSync(secret, 'root:SECRET-SHADOW-HASH-7f3a:19000:0:99999:7:::\nname: x\n');

  it('a lookup linked to an outside file is never packed into the app', async () => {
    const root = buildContent(join(tmp, 'case2-lookup'));
    const csv = join(root, 'lookups', 'fixture_lolbas_lookup.csv');
    unlinkSync(csv);
    symlinkSync(secret, csv);
    const out = join(root, 'dist');
    const r = await runDac('build', '--content', root, '--out', out);
    const r2 = await runDac('build', '--content', root, '--out', out, '--skip-invalid');
    expect(allOutput(out)).not.toContain('SECRET-SHADOW-HASH');
    expect(r.out + r.err + r2.out + r2.err).not.toContain('SECRET-SHADOW-HASH');
    expect(r.code).not.toBe(0);
    expect(r.out + r.err).toMatch(/lookups\/fixture_lolbas_lookup\.csv.*leaves the content root/);
  });

  it('a detection linked to an outside file is refused with a positioned error, its lines never printed', async () => {
    const root = buildContent(join(tmp, 'case2-detection'));
    symlinkSync(secret, join(root, 'detections', 's.yml'));
    const r = await runDac('validate', '--content', root);
    expect(r.out + r.err).not.toContain('SECRET-SHADOW-HASH');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/detections\/s\.yml:1:1: error: .*leaves the content root.* \[file-access\]/);
  });

  it('version_from cannot read outside the content root', async () => {
    const root = buildContent(join(tmp, 'case2-version'));
    writeFileSync(join(tmp, 'outside.json'), '{"version": "6.6.6"}');
    const config = join(root, 'dac.config.yaml');
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace('  version: 2.3.4\n', '  version_from: ../outside.json\n'),
    );
    const out = join(tmp, 'case2-version-out');
    const r = await runDac('build', '--content', root, '--out', out);
    expect(r.code).not.toBe(0);
    expect(existsSync(out) ? readdirSync(out).join(' ') : '').not.toContain('6.6.6');
    expect(r.out + r.err).toMatch(/version_from|outside the content root/);
  });
});

describe('issue 12 case 3: writes and deletes never follow planted links or manifests', () => {
  const outside = join(tmp, 'case3-outside');
  mkdirSync(outside, { recursive: true });

  it('a matcher file linked to an outside file is replaced, the outside file untouched', async () => {
    const root = ngrokContent(join(tmp, 'case3-file'));
    const victim = join(outside, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    mkdirSync(join(root, 'dist', 'matchers'), { recursive: true });
    symlinkSync(victim, join(root, 'dist', 'matchers', 'windows_ngrok_reverse_proxy_usage.ts'));
    const r = await runDac('compile', '--content', root);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(r.code).toBe(0);
    expect(readFileSync(join(root, 'dist/matchers/windows_ngrok_reverse_proxy_usage.ts'), 'utf8')).toContain(
      'export function match',
    );
  });

  it('a linked folder in the output (dist/matchers/cim -> outside) is refused, nothing written there', async () => {
    const root = ngrokContent(join(tmp, 'case3-dir'));
    const target = join(outside, 'cim-target');
    mkdirSync(target, { recursive: true });
    mkdirSync(join(root, 'dist', 'matchers'), { recursive: true });
    symlinkSync(target, join(root, 'dist', 'matchers', 'cim'));
    const r = await runDac('compile', '--content', root);
    expect(readdirSync(target)).toEqual([]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/symbolic link/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('the tarball path linked to an outside file: the link is replaced, the outside file untouched', async () => {
    const root = buildContent(join(tmp, 'case3-tar'));
    const victim = join(outside, 'tar-victim.txt');
    writeFileSync(victim, 'precious\n');
    const out = join(tmp, 'case3-tar-out');
    mkdirSync(out, { recursive: true });
    symlinkSync(victim, join(out, 'DAC-Build-Fixture-2.3.4.tar.gz'));
    const r = await runDac('build', '--content', root, '--out', out);
    expect(r.code).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
  });

  it('a planted .dac-compile.json manifest makes dac compile delete nothing', async () => {
    const root = ngrokContent(join(tmp, 'case3-manifest'));
    const dir = join(root, 'dist', 'matchers');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'keep.ts'), 'export const mine = 1;\n');
    writeFileSync(join(dir, '.dac-compile.json'), JSON.stringify({ files: ['keep.ts'] }));
    const r = await runDac('compile', '--content', root);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'keep.ts'), 'utf8')).toBe('export const mine = 1;\n');
    // What dac itself wrote it still cleans up: a second run with the detection gone removes its file.
    rmSync(join(root, 'detections'), { recursive: true });
    mkdirSync(join(root, 'detections'));
    await runDac('compile', '--content', root);
    expect(existsSync(join(dir, 'windows_ngrok_reverse_proxy_usage.ts'))).toBe(false);
    expect(existsSync(join(dir, 'keep.ts'))).toBe(true);
  });

  it('dac compile --out . keeps a tsconfig.json it did not write', async () => {
    const root = ngrokContent(join(tmp, 'case3-tsconfig'));
    const mine = '{ "compilerOptions": { "strict": false } }\n';
    writeFileSync(join(root, 'tsconfig.json'), mine);
    const r = await runDac('compile', '--content', root, '--out', root);
    expect(readFileSync(join(root, 'tsconfig.json'), 'utf8')).toBe(mine);
    expect(r.out + r.err).toMatch(/tsconfig\.json exists and was not written by dac compile/);
  });
});

describe('issue 12 case 4: no data loss', () => {
  it('--content <link to the content> --out <its real parent> does not delete the content', async () => {
    const base = join(tmp, 'case4');
    const real = buildContent(join(base, 'DAC-Build-Fixture'));
    const link = join(tmp, 'case4-link');
    symlinkSync(real, link);
    const before = snapshot(real);
    const r = await runDac('build', '--content', link, '--out', base);
    expect(r.code).not.toBe(0);
    expect(r.out + r.err).toMatch(/refusing to replace/);
    expect(snapshot(real)).toEqual(before);
  });

  it('an existing folder dac did not make is never replaced by the app', async () => {
    const root = buildContent(join(tmp, 'case4-foreign'));
    const out = join(tmp, 'case4-foreign-out');
    mkdirSync(join(out, 'DAC-Build-Fixture'), { recursive: true });
    writeFileSync(join(out, 'DAC-Build-Fixture', 'notes.txt'), 'mine\n');
    const r = await runDac('build', '--content', root, '--out', out);
    expect(r.code).not.toBe(0);
    expect(readFileSync(join(out, 'DAC-Build-Fixture', 'notes.txt'), 'utf8')).toBe('mine\n');
  });
});

describe('issue 12 case 8: a build never ships a search whose macros it left out', () => {
  it('a detection calling a macro --skip-invalid left out is left out too, with a warning naming the macro', async () => {
    const root = buildContent(join(tmp, 'case8'));
    const macro = join(root, 'macros', 'drop_dm_object_name.yml');
    // Still a macro with a name and definition, but schema-invalid (no description): left out.
    writeFileSync(macro, readFileSync(macro, 'utf8').replace(/^description: .*$/m, ''));
    const out = join(tmp, 'case8-out');
    const r = await runDac('build', '--content', root, '--out', out, '--skip-invalid');
    expect(r.code).toBe(0);
    const saved = readFileSync(join(out, 'DAC-Build-Fixture', 'default', 'savedsearches.conf'), 'utf8');
    const macros = readFileSync(join(out, 'DAC-Build-Fixture', 'default', 'macros.conf'), 'utf8');
    expect(macros).not.toContain('[drop_dm_object_name(1)]');
    expect(saved).not.toContain('drop_dm_object_name(');
    expect(saved).not.toContain('Certutil Download With URLCache');
    expect(r.err).toMatch(
      /certutil_download_with_urlcache\.yml:\d+:\d+: warning: left out of the app: .*drop_dm_object_name\(1\)/,
    );
  });
  it('the corpus case: a macro whose YAML does not parse (base64decode(1)) takes its callers with it', async () => {
    const root = buildContent(join(tmp, 'case8-yaml'));
    writeFileSync(
      join(root, 'macros', 'drop_dm_object_name.yml'),
      'name: drop_dm_object_name\narguments:\n- object\ndefinition: \'rename "$object$.*" as *\ndescription: x\n',
    );
    const out = join(tmp, 'case8-yaml-out');
    const r = await runDac('build', '--content', root, '--out', out, '--skip-invalid');
    expect(r.code).toBe(0);
    const saved = readFileSync(join(out, 'DAC-Build-Fixture', 'default', 'savedsearches.conf'), 'utf8');
    expect(saved).not.toContain('drop_dm_object_name(');
    expect(r.err).toMatch(/warning: left out of the app: it calls the macro `drop_dm_object_name\(1\)`/);
  });
});

describe('issue 12 case 6 (the file-system part): fixtures that never end are refused', () => {
  it.each([
    ['a FIFO', 'fifo'],
    ['a link to /dev/zero', 'zero'],
    ['a link outside the root', 'outside'],
  ])('a fixture that is %s is a test error, not a hang', async (_label, kind) => {
    const root = ngrokContent(join(tmp, `case6-${kind}`));
    const log = join(root, NGROK_LOG);
    rmSync(log);
    if (kind === 'fifo') {
      if (spawnSync('mkfifo', [log]).status !== 0) return;
    } else if (kind === 'zero') symlinkSync('/dev/zero', log);
    else {
      writeFileSync(join(tmp, 'case6-secret.log'), 'SECRET-FIXTURE-LINE\n');
      symlinkSync(join(tmp, 'case6-secret.log'), log);
    }
    const r = await runDac('test', '--content', root, '--no-typecheck');
    expect(r.code).toBe(1);
    expect(r.out + r.err).toMatch(/windows-sysmon\.log (is not a regular file|resolves outside the content root)/);
    expect(r.out + r.err).not.toContain('SECRET-FIXTURE-LINE');
  });
});

describe('issue 12 case 9: report folders are created when missing', () => {
  it('dac test --junit test-results/junit.xml creates test-results/', async () => {
    const root = ngrokContent(join(tmp, 'case9'));
    const junit = join(tmp, 'case9-out', 'test-results', 'junit.xml');
    const r = await runDac('test', '--content', root, '--junit', junit);
    expect(r.err).not.toMatch(/ENOENT|\n\s+at /);
    expect(r.code).toBe(0);
    expect(readFileSync(junit, 'utf8')).toContain('<testsuites');
  });
  it('dac ci --junit test-results/junit.xml (as the shipped workflow runs it) creates test-results/', async () => {
    const repo = makeRepo();
    try {
      // A changed detection, so that ci's test step runs (and writes the JUnit report).
      repo.write(NGROK_REL, NGROK_TEXT.replace(/^description: /m, 'description: Changed. '));
      const junit = join(repo.dir, 'test-results', 'junit.xml');
      const r = await runDac(
        'ci',
        '--base',
        'main',
        '--content',
        repo.dir,
        '--junit',
        junit,
        '--out',
        join(repo.dir, 'dist'),
      );
      expect(r.out + r.err).not.toMatch(/ENOENT|\n\s+at /);
      expect(readFileSync(junit, 'utf8')).toContain('<testsuites');
    } finally {
      repo.dispose();
    }
  });
  it('dac build --out a/b/c creates the folders', async () => {
    const root = buildContent(join(tmp, 'case9-build'));
    const out = join(tmp, 'case9-build-out', 'a', 'b');
    const r = await runDac('build', '--content', root, '--out', out);
    expect(r.code).toBe(0);
    expect(existsSync(join(out, 'DAC-Build-Fixture-2.3.4.tar.gz'))).toBe(true);
  });
});
