import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seal, verifySeal } from './integrity.js';
import {
  MARKER_FILE,
  OutputDir,
  OutputRefusal,
  markerText,
  readMarker,
  removeAbandonedTemps,
  swapFolder,
  tempSibling,
  writeFileAtomic,
} from './output.js';

const base = () => mkdtempSync(join(tmpdir(), 'dac-fs-output-'));

describe('writes', () => {
  it('writeFileAtomic replaces a link at the name instead of writing through it, leaves no temp file', () => {
    const dir = base();
    writeFileSync(join(dir, 'victim'), 'precious');
    symlinkSync(join(dir, 'victim'), join(dir, 'out.txt'));
    writeFileAtomic(join(dir, 'out.txt'), 'new');
    expect(readFileSync(join(dir, 'victim'), 'utf8')).toBe('precious');
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('new');
    expect(readdirSync(dir).sort()).toEqual(['out.txt', 'victim']);
  });

  it("removeAbandonedTemps removes a killed writer's temporary siblings, not a live writer's or other files", () => {
    const dir = base();
    const target = join(dir, 'manifest.json');
    // A process that has exited: the pid of a killed writer (reuse within this test is not expected).
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    const dead = join(dir, `.manifest.json.${deadPid}.0123abcd.tmp`);
    const live = tempSibling(target);
    expect(live).toMatch(new RegExp(`/\\.manifest\\.json\\.${process.pid}\\.[0-9a-f]{8}\\.tmp$`));
    for (const f of [dead, live, join(dir, 'manifest.json'), join(dir, '.other.json.1.0000abcd.tmp')])
      writeFileSync(f, 'x');
    removeAbandonedTemps(target);
    expect(readdirSync(dir).sort()).toEqual(
      ['.other.json.1.0000abcd.tmp', live.slice(dir.length + 1), 'manifest.json'].sort(),
    );
  });

  it('OutputDir refuses a link among the folders under it and paths that climb out', () => {
    const dir = base();
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const out = new OutputDir(join(dir, 'out', 'deep'));
    symlinkSync(elsewhere, join(out.path, 'cim'));
    expect(() => out.write('cim/x.ts', 'x')).toThrow(OutputRefusal);
    expect(() => out.write('../x.ts', 'x')).toThrow(/not a plain relative path/);
    expect(readdirSync(elsewhere)).toEqual([]);
    out.write('a/b/c.txt', 'ok');
    expect(readFileSync(join(out.path, 'a', 'b', 'c.txt'), 'utf8')).toBe('ok');
  });

  it('an output folder inside the content root must resolve inside it', () => {
    const dir = base();
    const root = join(dir, 'root');
    mkdirSync(join(dir, 'away'), { recursive: true });
    mkdirSync(root);
    symlinkSync(join(dir, 'away'), join(root, 'dist'));
    expect(() => new OutputDir(join(root, 'dist'), { contentRoot: root })).toThrow(/outside it/);
  });
});

describe('markers and seals', () => {
  it('a seal verifies only for the same parts', () => {
    const s = seal(['a', 'b']);
    expect(verifySeal(['a', 'b'], s)).toBe(true);
    expect(verifySeal(['a', 'c'], s)).toBe(false);
    expect(verifySeal(['a', 'b'], 'f'.repeat(64))).toBe(false);
  });

  it('a marker verifies in its folder only: not when copied, not when planted', () => {
    const dir = base();
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    mkdirSync(a);
    mkdirSync(b);
    writeFileSync(join(a, MARKER_FILE), markerText('p', a, ['x']));
    expect(readMarker(a, 'p')?.files).toEqual(['x']);
    expect(readMarker(a, 'other')).toBeUndefined();
    writeFileSync(join(b, MARKER_FILE), readFileSync(join(a, MARKER_FILE)));
    expect(readMarker(b, 'p')).toBeUndefined();
    writeFileSync(join(b, MARKER_FILE), JSON.stringify({ purpose: 'p', files: ['x'], seal: '0'.repeat(64) }));
    expect(readMarker(b, 'p')).toBeUndefined();
  });

  it('swapFolder replaces a folder dac made and refuses one it did not', () => {
    const dir = base();
    const target = join(dir, 'app');
    const fresh = join(dir, '.app.new-1');
    mkdirSync(fresh);
    writeFileSync(join(fresh, 'f'), '1');
    writeFileSync(join(fresh, MARKER_FILE), markerText('app', fresh, ['f'], target));
    swapFolder(fresh, target, 'app');
    expect(readFileSync(join(target, 'f'), 'utf8')).toBe('1');
    const foreign = join(dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'mine'), 'x');
    const fresh2 = join(dir, '.foreign.new-1');
    mkdirSync(fresh2);
    expect(() => swapFolder(fresh2, foreign, 'app')).toThrow(/cannot confirm it made it/);
    expect(readFileSync(join(foreign, 'mine'), 'utf8')).toBe('x');
  });
});
