// Issue 12 case 4: `kill -9` during `dac build` must leave the previous app folder or the new one
// (never a half-deleted folder) and never a 0-byte or half tarball. The CLI is bundled (esbuild,
// as scripts/build.mjs does) and run as a child process, killed with SIGKILL as soon as it first
// changes the output folder, and at spread-out delays; after each kill the state is checked.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleSources } from '../support/bundle-sources.js';
import { buildContent, REPO, scratch, snapshot } from './helpers.js';

const tmp = scratch('kill');
const bundleDir = join(REPO, 'node_modules', '.cache', `dac-kill-test-${process.pid}`);
const bundle = join(bundleDir, 'dac.js');
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  rmSync(bundleDir, { recursive: true, force: true });
});

beforeAll(async () => {
  await bundleSources({ dac: join(REPO, 'packages/cli/src/main.ts') }, bundleDir);
}, 120_000);

const APP = 'DAC-Build-Fixture';
const env = { ...process.env, DAC_ASSETS: REPO, SOURCE_DATE_EPOCH: '1700000000' };

/** Runs the bundled CLI; with `kill`, SIGKILLs it at the first change of `watch` or after `delayMs`. */
function runBuild(root: string, out: string, kill?: { delayMs?: number; watch?: string }): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bundle, 'build', '--content', root, '--out', out], { env, stdio: 'ignore' });
    let done = false;
    child.on('exit', (code) => {
      done = true;
      resolve(code);
    });
    if (!kill) return;
    if (kill.delayMs !== undefined) setTimeout(() => child.kill('SIGKILL'), kill.delayMs);
    if (kill.watch) {
      const base = readdirSync(kill.watch).sort().join('\n');
      const poll = () => {
        if (done) return;
        if (readdirSync(kill.watch!).sort().join('\n') !== base) child.kill('SIGKILL');
        else setImmediate(poll);
      };
      poll();
    }
  });
}

function appState(dir: string): Map<string, string> {
  const m = snapshot(dir);
  m.delete('.dac-output.json');
  return m;
}

describe('issue 12 case 4: kill -9 during dac build', () => {
  it('leaves the old or the new app folder and tarball, never half of one', async () => {
    const rootA = buildContent(join(tmp, 'a'));
    const rootB = buildContent(join(tmp, 'b'));
    const cfg = join(rootB, 'dac.config.yaml');
    writeFileSync(cfg, readFileSync(cfg, 'utf8').replace('version: 2.3.4', 'version: 2.3.5'));
    // The expected end states, built without interruption.
    const refA = join(tmp, 'ref-a');
    const refB = join(tmp, 'ref-b');
    expect(await runBuild(rootA, refA)).toBe(0);
    expect(await runBuild(rootB, refB)).toBe(0);
    const appA = appState(join(refA, APP));
    const appB = appState(join(refB, APP));
    const tarA = readFileSync(join(refA, `${APP}-2.3.4.tar.gz`));
    const tarB = readFileSync(join(refB, `${APP}-2.3.5.tar.gz`));
    expect(appA).not.toEqual(appB);

    const kills: { delayMs?: number; watch?: string }[] = [
      { watch: 'out' },
      { delayMs: 150 },
      { delayMs: 400 },
      { watch: 'out' },
    ];
    for (const [i, k] of kills.entries()) {
      const out = join(tmp, `out-${i}`);
      mkdirSync(out, { recursive: true });
      expect(await runBuild(rootA, out)).toBe(0);
      await runBuild(rootB, out, k.watch ? { watch: out } : k);
      const names = readdirSync(out);
      const aside = names.filter((n) => n.startsWith(`.${APP}.old-`));
      const app = existsSync(join(out, APP))
        ? appState(join(out, APP))
        : aside.length === 1
          ? appState(join(out, aside[0]!))
          : undefined;
      expect(app, `kill ${i}: no whole app folder (${names.join(', ')})`).toBeDefined();
      expect([appA, appB].some((x) => JSON.stringify([...x]) === JSON.stringify([...app!]))).toBe(true);
      for (const n of names.filter((x) => x.endsWith('.tar.gz'))) {
        const bytes = readFileSync(join(out, n));
        expect(bytes.length, `kill ${i}: ${n} is empty`).toBeGreaterThan(0);
        expect(() => gunzipSync(bytes)).not.toThrow();
        expect(bytes.equals(tarA) || bytes.equals(tarB)).toBe(true);
      }
      // The next build puts everything right and leaves no temporary siblings.
      expect(await runBuild(rootB, out)).toBe(0);
      expect(appState(join(out, APP))).toEqual(appB);
      expect(readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]);
      expect(lstatSync(join(out, APP)).isDirectory()).toBe(true);
    }
  }, 240_000);
});
