/**
 * Installs a packed `@dac/cli` tarball into a folder WITHOUT the network (tests never fetch):
 * npm resolves versions from registry metadata, which its cache may not hold, so the folder gets a
 * package-lock.json that pins every runtime dependency of the CLI to the entry (version, resolved
 * URL, integrity) of this repository's own lockfile. `npm ci --offline` then takes each tarball
 * from the npm cache by its integrity — the cache `npm ci` of this repository filled.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  link?: boolean;
  dev?: boolean;
  [key: string]: unknown;
}

type Lock = { packages: Record<string, LockEntry> };

/** The lockfile entry that `name` required from the package at `from` resolves to (Node's lookup). */
function resolveEntry(lock: Lock, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!dir) return undefined;
    const i = dir.lastIndexOf('/node_modules/');
    dir = i < 0 ? '' : dir.slice(0, i);
  }
}

/**
 * The lockfile entries (keyed by their node_modules path) that `dependencies` need, transitively,
 * in the repository's hoisted layout, which a folder with one dependency can keep as it is.
 */
export function dependencyClosure(lock: Lock, dependencies: Record<string, string>): Record<string, LockEntry> {
  const out: Record<string, LockEntry> = {};
  const queue: [string, string][] = Object.keys(dependencies).map((d) => ['', d]);
  while (queue.length > 0) {
    const [from, name] = queue.shift()!;
    const path = resolveEntry(lock, from, name);
    if (!path) throw new Error(`${name} (needed by ${from || 'the CLI'}) is not in the lockfile`);
    if (out[path]) continue;
    const entry = lock.packages[path]!;
    if (entry.link) throw new Error(`${name} is a workspace link; the CLI must not need it at run time`);
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...kept } = entry;
    out[path] = { ...kept, dev: true };
    for (const d of Object.keys(entry.dependencies ?? {})) queue.push([path, d]);
    // Optional dependencies (platform binaries) are installed only where they fit; keep them listed.
    for (const d of Object.keys(entry.optionalDependencies ?? {}))
      if (resolveEntry(lock, path, d)) queue.push([path, d]);
  }
  return out;
}

/** `npm ci --offline` of `tarball` (copied beside package.json by the caller) into `dir` as a dev dependency. */
export function installOffline(dir: string, tarball: string, repoLock: string): { status: number; output: string } {
  const lock = JSON.parse(readFileSync(repoLock, 'utf8')) as Lock;
  const manifest = JSON.parse(
    spawnSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }).stdout,
  ) as { name: string; version: string; dependencies: Record<string, string>; bin?: unknown; engines?: unknown };
  const file = `file:${basename(tarball)}`;
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const pkg = { name: 'content-repository', private: true, devDependencies: { [manifest.name]: file } };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  const packages: Record<string, LockEntry> = {
    '': { name: pkg.name, devDependencies: pkg.devDependencies },
    [`node_modules/${manifest.name}`]: {
      version: manifest.version,
      resolved: file,
      integrity,
      dev: true,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
    ...dependencyClosure(lock, manifest.dependencies),
  };
  writeFileSync(
    join(dir, 'package-lock.json'),
    `${JSON.stringify({ name: pkg.name, lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
  );
  const r = spawnSync('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, npm_config_offline: 'true', npm_config_update_notifier: 'false' },
  });
  return { status: r.status ?? 1, output: `${r.stdout}${r.stderr}` };
}
