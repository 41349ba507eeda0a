// `dac test` where the attack data is not in the content repository: a splunk/attack_data clone
// (--attack-data, or test.attack_data in dac.config.yaml) and --download from a local HTTP server
// (node:http on 127.0.0.1, an ephemeral port, started here: no network). The content is a copy of
// this repository's without test/attack_data/, as in an ESCU checkout.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runDac } from '../support/run-dac.js';

const REPO = join(import.meta.dirname, '../..');
const FIXTURES = [
  'datasets/attack_techniques/T1572/ngrok/windows-sysmon.log',
  'datasets/attack_techniques/T1572/ngrok/windows-security.log',
  'datasets/attack_techniques/T1572/ngrok/crowdstrike_falcon.log',
  'datasets/attack_techniques/T1027/atomic_red_team/atomic_T1027_nxlog.jsonl.gz',
];
const tmp = mkdtempSync(join(tmpdir(), 'dac-attack-data-cli-'));
const content = join(tmp, 'content');
const clone = join(tmp, 'attack_data');
const hits = new Map<string, number>();
let server: Server;
let base = '';

beforeAll(async () => {
  for (const dir of ['detections', 'macros', 'stories', 'data_sources'])
    cpSync(join(REPO, dir), join(content, dir), { recursive: true });
  cpSync(join(REPO, 'dac.config.yaml'), join(content, 'dac.config.yaml'));
  cpSync(join(REPO, 'packages/app/package.json'), join(content, 'packages/app/package.json'));
  for (const f of FIXTURES) {
    mkdirSync(dirname(join(clone, f)), { recursive: true });
    writeFileSync(join(clone, f), readFileSync(join(REPO, 'test/attack_data', f)));
  }
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).slice(1);
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (!FIXTURES.includes(path)) return void res.writeHead(404).end();
    const body = readFileSync(join(clone, path));
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  // Never the developer's own cache.
  vi.stubEnv('DAC_CACHE_DIR', join(tmp, 'user-cache'));
  return () => vi.unstubAllEnvs();
});

const test = (...args: string[]) => runDac('test', '--content', content, '--no-typecheck', ...args);
const passedLines = (out: string) => out.split('\n').filter((l) => l.startsWith('PASS'));

describe('dac test with attack data outside the content repository', () => {
  it('without a source, each test fails naming --attack-data and --download, and nothing is fetched', async () => {
    const r = await test();
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      `missing fixture test/attack_data/${FIXTURES[0]} (for https://media.githubusercontent.com/media/splunk/attack_data/master/${FIXTURES[0]}); add the file, pass --attack-data DIR (a splunk/attack_data clone), or --download to fetch it into ${join(tmp, 'user-cache', 'attack_data')}`,
    );
    expect(hits.size).toBe(0);
  });

  it('--attack-data DIR reads the clone: every ngrok test passes', async () => {
    const r = await test('--attack-data', clone);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(passedLines(r.out)).toHaveLength(5);
  });

  it('test.attack_data in dac.config.yaml does the same, relative to the content root', async () => {
    const config = join(content, 'dac.config.yaml');
    const before = readFileSync(config, 'utf8');
    writeFileSync(config, `${before}test:\n  attack_data: ../attack_data\n`);
    try {
      const r = await test();
      expect(r.code).toBe(0);
      expect(passedLines(r.out)).toHaveLength(5);
    } finally {
      writeFileSync(config, before);
    }
  });

  it('--attack-data that is not a folder is a usage error (exit 2)', async () => {
    const r = await test('--attack-data', join(tmp, 'nope'));
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `dac test: --attack-data: ${join(tmp, 'nope')} is not a directory (expected a splunk/attack_data clone)\n`,
    );
  });

  it('--download fetches each missing file once into the cache (SHA-256 in its manifest); a second run fetches nothing', async () => {
    const cache = join(tmp, 'downloads');
    const r = await test('--download', '--download-from', base, '--download-dir', cache);
    expect(r.code).toBe(0);
    expect(passedLines(r.out)).toHaveLength(5);
    expect(r.err.match(/^dac test: downloaded /gm)).toHaveLength(4);
    expect(Object.fromEntries(hits)).toEqual(Object.fromEntries(FIXTURES.map((f) => [f, 1])));
    const manifest = JSON.parse(readFileSync(join(cache, 'manifest.json'), 'utf8')) as {
      files: Record<string, { sha256: string; bytes: number }>;
    };
    expect(Object.keys(manifest.files).sort()).toEqual([...FIXTURES].sort());
    const again = await test('--download', '--download-from', base, '--download-dir', cache);
    expect(again.code).toBe(0);
    expect(again.err).toBe('');
    expect([...hits.values()].every((n) => n === 1)).toBe(true);
  });
});
