import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDac } from '../support/run-dac.js';
import { FIXTURE } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'dac-build-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const dac = runDac;

describe('dac build', () => {
  it('validates, builds the app folder and both tarballs, and prints a summary', async () => {
    const out = join(tmp, 'dist');
    const r = await dac('build', '--content', FIXTURE, '--out', out, '--workers', '0');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/built DAC-Build-Fixture 2\.3\.4: 2 detections \(1 Hunting, 1 TTP\)/);
    expect(existsSync(join(out, 'DAC-Build-Fixture', 'default', 'savedsearches.conf'))).toBe(true);
    expect(existsSync(join(out, 'DAC-Build-Fixture-2.3.4.tar.gz'))).toBe(true);
    expect(existsSync(join(out, 'DAC-Build-Fixture-latest.tar.gz'))).toBe(true);
  });

  it('stops with exit 1 on validation errors, and --skip-invalid leaves the invalid file out', async () => {
    const content = join(tmp, 'broken');
    cpSync(FIXTURE, content, { recursive: true });
    writeFileSync(
      join(content, 'detections', 'endpoint', 'broken_detection.yml'),
      'name: Broken Detection\nsearch: "unterminated\n',
    );
    const stopped = await dac('build', '--content', content, '--out', join(tmp, 'o1'), '--workers', '0');
    expect(stopped.code).toBe(1);
    expect(stopped.out).toMatch(/broken_detection\.yml:\d+:\d+: error:/);
    expect(existsSync(join(tmp, 'o1'))).toBe(false);

    const skipped = await dac(
      'build',
      '--content',
      content,
      '--out',
      join(tmp, 'o2'),
      '--skip-invalid',
      '--workers',
      '0',
    );
    expect(skipped.code).toBe(0);
    expect(skipped.err).toMatch(/broken_detection\.yml:\d+:\d+: warning: left out of the app/);
    expect(skipped.out).toMatch(/2 detections .*; 1 invalid files left out/);
  });

  it('defaults the output to dist/ under the content root', async () => {
    const content = join(tmp, 'copy');
    cpSync(FIXTURE, content, { recursive: true });
    const r = await dac('build', '--content', content, '--workers', '0');
    expect(r.code).toBe(0);
    expect(existsSync(join(content, 'dist', 'DAC-Build-Fixture-latest.tar.gz'))).toBe(true);
  });

  it('stamps the build time from --build-time or SOURCE_DATE_EPOCH', async () => {
    const a = join(tmp, 'time-a');
    expect(
      (await dac('build', '--content', FIXTURE, '--out', a, '--build-time', '2026-01-02T03:04:05Z', '--workers', '0'))
        .code,
    ).toBe(0);
    expect(readFileSync(join(a, 'DAC-Build-Fixture', 'default', 'app.conf'), 'utf8')).toContain(
      '\nbuild = 20260102030405\n',
    );
    const b = join(tmp, 'time-b');
    process.env.SOURCE_DATE_EPOCH = String(Date.UTC(2026, 0, 2, 3, 4, 5) / 1000);
    try {
      expect((await dac('build', '--content', FIXTURE, '--out', b, '--workers', '0')).code).toBe(0);
    } finally {
      delete process.env.SOURCE_DATE_EPOCH;
    }
    expect(
      readFileSync(join(b, 'DAC-Build-Fixture-latest.tar.gz')).equals(
        readFileSync(join(a, 'DAC-Build-Fixture-latest.tar.gz')),
      ),
    ).toBe(true);
  });

  it('exits 2 on usage errors', async () => {
    expect((await dac('build', '--content', FIXTURE, '--build-time', 'yesterday')).code).toBe(2);
    expect((await dac('build', '--content', join(tmp, 'does-not-exist'))).code).toBe(2);
    expect((await dac('build', '--no-such-option')).code).toBe(2);
  });
});
