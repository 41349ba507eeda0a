// `npm run bench versioning`: version-check on the ESCU corpus (../shared/corpus/escu), copied into
// a throw-away git repository. Measures a clean comparison (nothing changed), a typical pull
// request (10 changed detections, 1 moved, 1 new, 1 macro changed), and the dependency
// computation dac ci uses to choose the detections to test. Skips when the corpus is absent.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadContent } from '@dac/content';
import { affectedDetections, checkVersions } from '@dac/versioning';

const repoRoot = process.env.DAC_REPO_ROOT ?? process.cwd();
const corpus = join(repoRoot, '..', 'shared', 'corpus', 'escu');
if (!existsSync(corpus)) {
  console.log(`version-check bench: corpus ${corpus} not found; skipped`);
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'dac-vc-bench-'));
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
const git = (...a: string[]) =>
  execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=b@e', ...a], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
try {
  for (const d of ['detections', 'macros', 'stories', 'data_sources', 'lookups'])
    if (existsSync(join(corpus, d))) cpSync(join(corpus, d), join(dir, d), { recursive: true });
  for (const f of ['contentctl.yml']) if (existsSync(join(corpus, f))) cpSync(join(corpus, f), join(dir, f));
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'corpus');
  const time = <T>(label: string, fn: () => T, runs = 3): T => {
    let best = Infinity;
    let r!: T;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      r = fn();
      best = Math.min(best, performance.now() - t);
    }
    console.log(`${label}: ${best.toFixed(0)} ms (best of ${runs})`);
    return r;
  };
  const clean = time('no change', () => checkVersions({ contentRoot: dir, base: 'main' }));
  console.log(`  ${clean.detections.length} detections compared, ${clean.diagnostics.length} diagnostics`);

  const detDir = join(dir, 'detections', 'endpoint');
  const files = readdirSync(detDir)
    .filter((f) => f.endsWith('.yml'))
    .sort();
  for (const f of files.slice(0, 10)) {
    const p = join(detDir, f);
    writeFileSync(
      p,
      readFileSync(p, 'utf8')
        .replace(/^search: /m, 'search: |\n  ')
        .replace(/^(search: \|\n {2})(.*)$/m, '$1$2'),
    );
    writeFileSync(p, readFileSync(p, 'utf8').replace(/^description: (.*)$/m, 'description: $1 Updated.'));
  }
  renameSync(join(detDir, files[20]!), join(dir, 'detections', files[20]!));
  const macroDir = join(dir, 'macros');
  const macro = readdirSync(macroDir).find((f) => f.startsWith('security_content_summariesonly'));
  if (macro)
    writeFileSync(
      join(macroDir, macro),
      readFileSync(join(macroDir, macro), 'utf8').replace(/^description: (.*)$/m, 'description: $1 Changed.'),
    );
  const pr = time('typical pull request (10 changed, 1 moved, 1 macro)', () =>
    checkVersions({ contentRoot: dir, base: 'main' }),
  );
  const n = { new: 0, changed: 0, unchanged: 0, removed: 0 };
  for (const d of pr.detections) n[d.change]++;
  console.log(
    `  ${JSON.stringify(n)}, ${pr.diagnostics.filter((d) => d.severity === 'error').length} errors, suggested bump ${pr.suggestedBump}`,
  );
  const tree = time('loadContent for dependencies', () => loadContent(dir), 1);
  const affected = time('affectedDetections', () => affectedDetections(tree, pr));
  console.log(`  ${affected.length} detections to test`);
  const fixT = performance.now();
  const fixed = checkVersions({ contentRoot: dir, base: 'main', fix: true });
  console.log(
    `--fix: ${(performance.now() - fixT).toFixed(0)} ms, ${fixed.fixes.length} values rewritten, ${fixed.diagnostics.filter((d) => d.rule.startsWith('version')).length} version errors left`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
