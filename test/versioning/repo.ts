// Throw-away git repositories for the version-gate tests, built from a copy of this repository's
// ngrok detection, its macros, the content config and the changesets setup.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const NGROK_REL = 'detections/endpoint/windows_ngrok_reverse_proxy_usage.yml';
export const NGROK_TEXT = readFileSync(join(REPO_ROOT, NGROK_REL), 'utf8');
export const NGROK_ID = 'e2549f2c-0aef-408a-b0c1-e0f270623436';

// Isolated from the user's and the system's git configuration; nothing global is written.
const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' };
const IDENTITY = ['-c', 'user.name=dac test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false'];

export class TempRepo {
  constructor(readonly dir: string) {}

  git(...args: string[]): string {
    return execFileSync('git', [...IDENTITY, ...args], {
      cwd: this.dir,
      env: GIT_ENV,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  path(rel: string): string {
    return join(this.dir, rel);
  }

  read(rel: string): string {
    return readFileSync(this.path(rel), 'utf8');
  }

  write(rel: string, text: string): void {
    mkdirSync(dirname(this.path(rel)), { recursive: true });
    writeFileSync(this.path(rel), text);
  }

  edit(rel: string, fn: (text: string) => string): void {
    const before = this.read(rel);
    const after = fn(before);
    if (after === before) throw new Error(`edit of ${rel} changed nothing`);
    this.write(rel, after);
  }

  move(from: string, to: string): void {
    mkdirSync(dirname(this.path(to)), { recursive: true });
    renameSync(this.path(from), this.path(to));
  }

  remove(rel: string): void {
    rmSync(this.path(rel));
  }

  commitAll(message: string): string {
    this.git('add', '-A');
    this.git('commit', '-q', '-m', message);
    return this.git('rev-parse', 'HEAD').trim();
  }

  /** A changeset bumping the content package, as `npx changeset` writes it. */
  addChangeset(name: string, level: 'patch' | 'minor' | 'major', pkg = '@dac/app'): string {
    const rel = `.changeset/${name}.md`;
    this.write(rel, `---\n"${pkg}": ${level}\n---\n\nUpdate the content.\n`);
    return rel;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A repository whose `main` holds the ngrok detection at version 5, dated 2024-09-30. */
export function makeRepo(): TempRepo {
  const repo = new TempRepo(mkdtempSync(join(tmpdir(), 'dac-versioning-')));
  repo.git('init', '-q', '-b', 'main');
  cpSync(join(REPO_ROOT, 'dac.config.yaml'), repo.path('dac.config.yaml'));
  mkdirSync(repo.path('packages/app'), { recursive: true });
  cpSync(join(REPO_ROOT, 'packages/app/package.json'), repo.path('packages/app/package.json'));
  mkdirSync(repo.path('.changeset'), { recursive: true });
  cpSync(join(REPO_ROOT, '.changeset/config.json'), repo.path('.changeset/config.json'));
  repo.write('.changeset/README.md', '# Changesets\n');
  cpSync(join(REPO_ROOT, 'macros'), repo.path('macros'), { recursive: true });
  repo.write(NGROK_REL, NGROK_TEXT);
  repo.commitAll('initial content');
  return repo;
}

/** A second, different detection (new content) derived from the ngrok one. */
export function otherDetection(id: string, version = 1, date = '2025-01-10'): string {
  return NGROK_TEXT.replace(NGROK_ID, id)
    .replace('name: Windows Ngrok Reverse Proxy Usage', 'name: Windows Ngrok Config Usage')
    .replace(/^version: 5$/m, `version: ${version}`)
    .replace("date: '2024-09-30'", `date: '${date}'`)
    .replace('windows_ngrok_reverse_proxy_usage_filter', 'windows_ngrok_config_usage_filter');
}
