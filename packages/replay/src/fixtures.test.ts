// Where attack_data files come from: a local splunk/attack_data clone, the content's
// test/attack_data/, the download cache, and downloads — all against throw-away folders and a local
// HTTP server (node:http on 127.0.0.1, an ephemeral port); nothing here reaches the network.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DownloadManifest } from './download.js';
import {
  attackDataPath,
  defaultDownloadDir,
  FixtureResolver,
  lfsPointerAt,
  parseLfsPointer,
  userCacheDir,
  type FixtureOptions,
} from './fixtures.js';

const REPO = join(import.meta.dirname, '../../..');
const PATH = 'datasets/attack_techniques/T1572/ngrok/windows-sysmon.log';
const URL_MEDIA = `https://media.githubusercontent.com/media/splunk/attack_data/master/${PATH}`;
// This repository's stand-in for that file (hand-written; see the README beside it).
const LOG = readFileSync(join(REPO, 'test/attack_data', PATH));
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
/** A pointer as `git lfs` writes it for LOG (what a clone holds before `git lfs pull`). */
const pointerFor = (b: Buffer) =>
  `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(b)}\nsize ${b.length}\n`;

// ---- a local HTTP server whose routes each test sets ----
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let base = '';
let routes = new Map<string, Handler>();
const hits = new Map<string, number>();
beforeAll(async () => {
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const h = routes.get(path);
    if (!h) {
      res.writeHead(404).end('not found');
      return;
    }
    h(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});
const serve = (path: string, body: Buffer | string) =>
  routes.set(`/${path}`, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });

let tmp: string;
const dirs: string[] = [];
const tempDir = (name: string) => {
  const d = mkdtempSync(join(tmpdir(), `dac-fixtures-${name}-`));
  dirs.push(d);
  return d;
};
afterEach(() => {
  routes = new Map();
  hits.clear();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const write = (dir: string, rel: string, body: Buffer | string) => {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), body);
};
/** A content root with no fixtures of its own, and a resolver over it. */
const resolver = (opts: FixtureOptions = {}) => {
  tmp = tempDir('root');
  return new FixtureResolver(tmp, { downloadDir: join(tmp, 'cache'), ...opts });
};

describe('attack_data URLs → paths in splunk/attack_data', () => {
  it('maps the media, raw and github.com forms ESCU uses (escu-corpus.md §6: media 1,528, raw 4)', () => {
    for (const url of [
      URL_MEDIA,
      `https://raw.githubusercontent.com/splunk/attack_data/master/${PATH}`,
      `https://raw.githubusercontent.com/splunk/attack_data/refs/heads/master/${PATH}`,
      `https://github.com/splunk/attack_data/raw/master/${PATH}`,
      `https://github.com/splunk/attack_data/blob/master/${PATH}?raw=true`,
      `https://media.githubusercontent.com/media/Splunk/attack_data/master//${PATH}`,
    ])
      expect(attackDataPath(url), url).toEqual({ path: PATH });
    expect(attackDataPath('https://media.githubusercontent.com/media/splunk/attack_data/master/a%20b/c.log')).toEqual({
      path: 'a b/c.log',
    });
  });

  it('refuses other repositories, other refs, and paths that leave the repository', () => {
    expect(attackDataPath('https://example.com/splunk/attack_data/master/x.log')).toEqual({
      error: expect.stringMatching(/not a splunk\/attack_data URL/),
    });
    expect(attackDataPath('https://raw.githubusercontent.com/splunk/attack_data/3f2a9c1/x.log')).toEqual({
      error: expect.stringMatching(/at "3f2a9c1"; only master/),
    });
    // The URL parser resolves dot segments (also %2e%2e and backslashes) as a browser would, so
    // they never climb out of the repository; an encoded slash that would is refused.
    const at = (p: string) => attackDataPath(`https://raw.githubusercontent.com/splunk/attack_data/master/${p}`);
    expect(at('../../etc/passwd')).toEqual({ error: expect.stringMatching(/not a splunk\/attack_data URL/) });
    expect(at('%2e%2e/%2e%2e/etc/passwd')).toEqual({ error: expect.stringMatching(/not a splunk\/attack_data URL/) });
    expect(at('a\\..\\b')).toEqual({ path: 'b' });
    expect(at('a%2F..%2F..%2Fetc%2Fpasswd')).toEqual({ error: expect.stringMatching(/^refusing fixture path/) });
    expect(at('')).toEqual({ error: expect.stringMatching(/^refusing fixture path/) });
    expect(attackDataPath('not a url')).toEqual({ error: '"not a url" is not a URL' });
  });
});

describe('Git LFS pointer files', () => {
  it('are recognised by their first line, with oid and size (git-lfs spec v1)', () => {
    expect(parseLfsPointer(pointerFor(LOG))).toEqual({ oid: sha256(LOG), size: LOG.length });
    expect(parseLfsPointer(LOG)).toBeUndefined();
    expect(parseLfsPointer('version https://git-lfs.github.com/spec/v1\nno oid\n')).toBeUndefined();
    const d = tempDir('lfs');
    write(d, 'p.log', pointerFor(LOG));
    write(d, 'real.log', LOG);
    expect(lfsPointerAt(join(d, 'p.log'))).toMatchObject({ size: LOG.length });
    expect(lfsPointerAt(join(d, 'real.log'))).toBeUndefined();
  });
});

describe("the user's cache folder", () => {
  it('DAC_CACHE_DIR, else $XDG_CACHE_HOME/dac, else ~/.cache/dac (a relative XDG_CACHE_HOME is ignored, per the XDG spec)', () => {
    expect(userCacheDir({ DAC_CACHE_DIR: '/c/dac', XDG_CACHE_HOME: '/x' })).toBe('/c/dac');
    expect(userCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/dac');
    expect(userCacheDir({ XDG_CACHE_HOME: 'rel/x', HOME: '/home/u' })).toMatch(/\.cache\/dac$/);
    expect(defaultDownloadDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/dac/attack_data');
  });
});

describe('a local attack_data clone (--attack-data)', () => {
  it('is read first, by the path after master/, for every URL form', async () => {
    const clone = tempDir('clone');
    write(clone, PATH, LOG);
    const r = resolver({ attackDataDir: clone });
    write(tmp, `test/attack_data/${PATH}`, 'a stand-in that must not win\n');
    expect(await r.resolve(URL_MEDIA)).toEqual({ path: join(clone, PATH), rel: join(clone, PATH), source: 'clone' });
    expect(await r.resolve(`https://raw.githubusercontent.com/splunk/attack_data/master/${PATH}`)).toMatchObject({
      source: 'clone',
    });
  });

  it('an LFS pointer in the clone is reported as one ("LFS pointer, run git lfs pull"), never read as a log', async () => {
    const clone = tempDir('clone');
    write(clone, PATH, pointerFor(LOG));
    const r = await resolver({ attackDataDir: clone }).resolve(URL_MEDIA);
    expect(r).toEqual({
      error: expect.stringContaining(
        `is a Git LFS pointer (a ${LOG.length}-byte file, sha256 ${sha256(LOG).slice(0, 12)}…), not the log: LFS pointer, run \`git -C ${clone} lfs pull --include="${PATH}"\``,
      ),
    });
  });

  it("the content's own test/attack_data/ is used when the clone lacks the file; a pointer there is reported too", async () => {
    const r = resolver({ attackDataDir: tempDir('clone') });
    write(tmp, `test/attack_data/${PATH}`, LOG);
    expect(await r.resolve(URL_MEDIA)).toMatchObject({ source: 'content', rel: `test/attack_data/${PATH}` });
    const r2 = resolver();
    write(tmp, `test/attack_data/${PATH}`, pointerFor(LOG));
    expect(await r2.resolve(URL_MEDIA)).toEqual({
      error: expect.stringContaining(`LFS pointer, run \`git lfs pull --include="test/attack_data/${PATH}"\``),
    });
  });

  it('a missing file says where it looked and what to do', async () => {
    const clone = tempDir('clone');
    const r = await resolver({ attackDataDir: clone }).resolve(URL_MEDIA);
    expect('error' in r && r.error).toMatch(
      new RegExp(
        `^missing fixture ${join(clone, PATH)} or test/attack_data/${PATH} \\(for ${URL_MEDIA}\\); .*--download`,
      ),
    );
  });
});

describe('--download: fetched once into the cache, SHA-256 in a manifest, atomic', () => {
  it('downloads a missing file once (however many tests and URL forms name it), then serves it from the cache', async () => {
    serve(PATH, LOG);
    const downloads: string[] = [];
    const opts = { download: true, downloadFrom: base, onDownload: (d: { url: string }) => downloads.push(d.url) };
    const r = resolver(opts);
    const [a, b] = await Promise.all([
      r.resolve(URL_MEDIA),
      r.resolve(`https://raw.githubusercontent.com/splunk/attack_data/master/${PATH}`),
    ]);
    expect(a).toEqual({ path: join(tmp, 'cache', PATH), rel: join(tmp, 'cache', PATH), source: 'download' });
    expect(b).toEqual(a);
    expect(hits.get(`/${PATH}`)).toBe(1);
    expect(downloads).toEqual([`${base}/${PATH}`]);
    expect(readFileSync(join(tmp, 'cache', PATH))).toEqual(LOG);
    const manifest = JSON.parse(readFileSync(join(tmp, 'cache', 'manifest.json'), 'utf8'));
    expect(manifest).toEqual({
      version: 1,
      files: {
        [PATH]: { url: `${base}/${PATH}`, sha256: sha256(LOG), bytes: LOG.length, downloaded: expect.any(String) },
      },
    });
    // A later run (a new resolver), with or without --download: the cache, no request.
    const again = new FixtureResolver(tmp, { downloadDir: join(tmp, 'cache') });
    expect(await again.resolve(URL_MEDIA)).toMatchObject({ source: 'cache' });
    expect(hits.get(`/${PATH}`)).toBe(1);
  });

  it('a later download whose SHA-256 differs from the manifest is reported and not kept', async () => {
    serve(PATH, LOG);
    const r = resolver({ download: true, downloadFrom: base });
    await r.resolve(URL_MEDIA);
    rmSync(join(tmp, 'cache', PATH));
    const changed = Buffer.concat([LOG, Buffer.from('<Event>tampered</Event>\n')]);
    serve(PATH, changed);
    const r2 = new FixtureResolver(tmp, { downloadDir: join(tmp, 'cache'), download: true, downloadFrom: base });
    const res = await r2.resolve(URL_MEDIA);
    expect('error' in res && res.error).toMatch(
      new RegExp(
        `^checksum mismatch: .* now has sha256 ${sha256(changed).slice(0, 12)}… \\(${changed.length} bytes\\), but .* had ${sha256(LOG).slice(0, 12)}… \\(${LOG.length} bytes\\) when downloaded on \\d{4}-\\d\\d-\\d\\d; .*Not kept`,
      ),
    );
    expect(existsSync(join(tmp, 'cache', PATH))).toBe(false);
    expect(new DownloadManifest(join(tmp, 'cache')).get(PATH)?.sha256).toBe(sha256(LOG));
    expect(readdirSync(join(tmp, 'cache', dirname(PATH)))).toEqual([]);
  });

  it('a downloaded LFS pointer (raw.githubusercontent.com serves pointers for LFS files) is reported, not cached', async () => {
    serve(PATH, pointerFor(LOG));
    const r = await resolver({ download: true, downloadFrom: base }).resolve(URL_MEDIA);
    expect('error' in r && r.error).toMatch(/returned a Git LFS pointer .*LFS pointer, run git lfs pull/);
    expect(existsSync(join(tmp, 'cache', PATH))).toBe(false);
  });

  it("a clone's pointer is replaced by the download, which must have the pointer's SHA-256", async () => {
    const clone = tempDir('clone');
    write(clone, PATH, pointerFor(LOG));
    serve(PATH, LOG);
    expect(
      await resolver({ attackDataDir: clone, download: true, downloadFrom: base }).resolve(URL_MEDIA),
    ).toMatchObject({
      source: 'download',
    });
    serve(PATH, 'other bytes\n');
    const r = await resolver({ attackDataDir: clone, download: true, downloadFrom: base }).resolve(URL_MEDIA);
    expect('error' in r && r.error).toMatch(/but the Git LFS pointer names .*; not kept/);
  });

  it('follows redirects; HTTP errors are one line; a refused connection is one line', async () => {
    routes.set('/moved', (_req, res) => res.writeHead(302, { location: `/${PATH}` }).end());
    serve(PATH, LOG);
    expect(await resolver({ download: true, downloadFrom: `${base}/moved-base` }).resolve(URL_MEDIA)).toEqual({
      error: `cannot download ${base}/moved-base/${PATH}: HTTP 404 Not Found`,
    });
    routes.set(`/m/${PATH}`, (_req, res) => res.writeHead(301, { location: `${base}/${PATH}` }).end());
    expect(await resolver({ download: true, downloadFrom: `${base}/m` }).resolve(URL_MEDIA)).toMatchObject({
      source: 'download',
    });
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await resolver({ download: true, downloadFrom: `http://127.0.0.1:${port}` }).resolve(URL_MEDIA)).toEqual({
      error: `cannot download http://127.0.0.1:${port}/${PATH}: connection refused`,
    });
  });

  it('sizes are bounded: by Content-Length before reading, and by the bytes streamed (chunked, no length)', async () => {
    serve(PATH, LOG);
    let r = await resolver({ download: true, downloadFrom: base, limits: { maxBytes: 1000 } }).resolve(URL_MEDIA);
    expect('error' in r && r.error).toBe(`${base}/${PATH} is ${LOG.length} bytes, over the 1000-byte download limit`);
    routes.set(`/${PATH}`, (_req, res) => {
      res.writeHead(200); // no content-length: chunked
      for (let i = 0; i < 10; i++) res.write(LOG);
      res.end();
    });
    r = await resolver({ download: true, downloadFrom: base, limits: { maxBytes: LOG.length * 3 } }).resolve(URL_MEDIA);
    expect('error' in r && r.error).toBe(`${base}/${PATH} is over the ${LOG.length * 3}-byte download limit`);
    expect(readdirSync(join(tmp, 'cache', dirname(PATH)))).toEqual([]);
  });

  it('time is bounded: a server that stalls before the headers or mid-body is given up, leaving no file', async () => {
    routes.set(`/${PATH}`, () => {
      /* never answers */
    });
    let r = await resolver({ download: true, downloadFrom: base, limits: { idleTimeoutMs: 200 } }).resolve(URL_MEDIA);
    expect('error' in r && r.error).toBe(`cannot download ${base}/${PATH}: no response for 0.2 s`);
    routes.set(`/${PATH}`, (_req, res) => {
      res.writeHead(200, { 'content-length': LOG.length });
      res.write(LOG.subarray(0, 100)); // then nothing
    });
    r = await resolver({ download: true, downloadFrom: base, limits: { idleTimeoutMs: 200 } }).resolve(URL_MEDIA);
    expect('error' in r && r.error).toBe(`cannot download ${base}/${PATH}: stalled for 0.2 s`);
    expect(readdirSync(join(tmp, 'cache', dirname(PATH)))).toEqual([]);
    server.closeAllConnections();
  });

  it('a connection cut mid-body leaves neither the file nor a temporary file', async () => {
    routes.set(`/${PATH}`, (req, res) => {
      res.writeHead(200, { 'content-length': LOG.length });
      res.write(LOG.subarray(0, 100), () => req.socket.destroy());
    });
    const r = await resolver({ download: true, downloadFrom: base }).resolve(URL_MEDIA);
    expect('error' in r && r.error).toMatch(/^cannot download .*(cut after 100 bytes|got 100 of)/);
    expect(existsSync(join(tmp, 'cache', PATH))).toBe(false);
    expect(readdirSync(join(tmp, 'cache', dirname(PATH)))).toEqual([]);
  });

  it('the temporary file of a killed download is removed by the next download of that file; a running one is kept', async () => {
    serve(PATH, LOG);
    const r = resolver({ download: true, downloadFrom: base });
    const folder = join(tmp, 'cache', dirname(PATH));
    const name = PATH.split('/').pop()!;
    // @dac/fs temporary names (.<name>.<pid>.<hex>.tmp): one of a process that has exited, one of
    // this (running) process.
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    const killed = `.${name}.${deadPid}.0123abcd.tmp`;
    const running = `.${name}.${process.pid}.89abcdef.tmp`;
    write(folder, killed, LOG.subarray(0, 100));
    write(folder, running, LOG.subarray(0, 100));
    expect(await r.resolve(URL_MEDIA)).toMatchObject({ source: 'download' });
    expect(readdirSync(folder).sort()).toEqual([running, name].sort());
    expect(readdirSync(join(tmp, 'cache')).sort()).toEqual(['datasets', 'manifest.json']);
  });

  it('a damaged manifest is reported once and rewritten; the download proceeds', async () => {
    serve(PATH, LOG);
    const notes: string[] = [];
    const r = resolver({ download: true, downloadFrom: base, onNote: (n) => notes.push(n) });
    write(tmp, 'cache/manifest.json', '{"files": [oops');
    expect(await r.resolve(URL_MEDIA)).toMatchObject({ source: 'download' });
    expect(notes).toEqual([expect.stringMatching(/manifest\.json is damaged .*rewritten/)]);
    expect(new DownloadManifest(join(tmp, 'cache')).get(PATH)?.sha256).toBe(sha256(LOG));
  });

  it('without --download nothing is fetched: the message names --attack-data and --download', async () => {
    serve(PATH, LOG);
    const r = await resolver({ downloadFrom: base }).resolve(URL_MEDIA);
    expect('error' in r && r.error).toMatch(/--attack-data DIR .* or --download to fetch it into /);
    expect(hits.size).toBe(0);
  });

  it('URLs that are not splunk/attack_data are never downloaded', async () => {
    const r = await resolver({ download: true, downloadFrom: base }).resolve(`${base}/master/x.log`);
    expect('error' in r && r.error).toMatch(
      /^missing fixture test\/attack_data\/x\.log .*only splunk\/attack_data URLs/,
    );
    expect(hits.size).toBe(0);
  });
});

describe("this repository's fixtures", () => {
  it('are real files, not LFS pointers', () => {
    const root = join(REPO, 'test/attack_data');
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.md') ? [] : [join(d, e.name)],
      );
    const files = walk(root);
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) expect(lfsPointerAt(f), f).toBeUndefined();
  });
});
