import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MARKER_FILE } from '@dac/fs';
import { loadContent } from '@dac/content';
import { buildApp } from '@dac/splunk-app';
import { FIXTURE } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'dac-build-det-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The app folder's files, without dac's own marker (which is not part of the app or the tarball). */
function listTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const rel of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
    if (rel === MARKER_FILE) continue;
    const p = join(dir, rel);
    if (statSync(p).isFile()) out.set(relative(dir, p), readFileSync(p));
  }
  return out;
}

describe('determinism (issue 5): two builds of the same content are byte-identical', () => {
  it('trees and tarballs match across two independent loads and builds', () => {
    const a = buildApp(loadContent(FIXTURE), { outDir: join(tmp, 'a') });
    const b = buildApp(loadContent(FIXTURE), { outDir: join(tmp, 'b') });
    expect(a.ok && b.ok).toBe(true);
    expect(readFileSync(a.tarball!).equals(readFileSync(b.tarball!))).toBe(true);
    expect(readFileSync(a.latest!).equals(readFileSync(a.tarball!))).toBe(true);
    expect(a.tarball!.endsWith('DAC-Build-Fixture-2.3.4.tar.gz')).toBe(true);
    expect(a.latest!.endsWith('DAC-Build-Fixture-latest.tar.gz')).toBe(true);
    const ta = listTree(a.appDir!);
    const tb = listTree(b.appDir!);
    expect([...ta.keys()]).toEqual([...tb.keys()]);
    for (const [k, v] of ta) expect(v.equals(tb.get(k)!)).toBe(true);
    expect([...ta.keys()].sort()).toEqual([...a.files.keys()].sort());
  });

  it('no build timestamp unless one is passed in; a passed build time is used everywhere', () => {
    const plain = buildApp(loadContent(FIXTURE), { outDir: join(tmp, 'c') });
    const app = plain.files.get('default/app.conf')!.toString();
    expect(app).toContain('\nbuild = 20250314000000\n'); // newest content date
    expect(plain.files.get('default/savedsearches.conf')!.toString()).not.toContain('On Date');
    const t = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    const timed = buildApp(loadContent(FIXTURE), { outDir: join(tmp, 'd'), buildTime: t, mtime: t.getTime() / 1000 });
    expect(timed.files.get('default/app.conf')!.toString()).toContain('\nbuild = 20260102030405\n');
    expect(timed.files.get('default/macros.conf')!.toString()).toContain('# On Date: 2026-01-02 03:04:05 UTC\n');
    expect(JSON.parse(timed.files.get('app.manifest')!.toString()).info.releaseDate).toBe('2026-01-02');
  });

  it('never replaces a folder that is or holds the content', () => {
    const tree = loadContent(FIXTURE);
    tree.config.app.appid = 'detections';
    const r = buildApp(tree, { outDir: FIXTURE });
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => d.rule)).toEqual(['build-config']);
    expect(statSync(join(FIXTURE, 'detections', 'endpoint')).isDirectory()).toBe(true);
    const up = loadContent(FIXTURE);
    up.config.app.appid = 'build';
    expect(buildApp(up, { outDir: join(FIXTURE, '..', '..') }).ok).toBe(false);
  });

  it('a rebuild replaces the app folder (no stale files)', () => {
    const out = join(tmp, 'e');
    buildApp(loadContent(FIXTURE), { outDir: out });
    const r = buildApp(loadContent(FIXTURE), { outDir: out });
    expect(listTree(r.appDir!).size).toBe(r.files.size);
  });
});
