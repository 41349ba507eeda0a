import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';

/**
 * A problem with the command's input or environment (unknown ref, shallow clone, not a git
 * repository, a base detection that does not parse): the CLI prints the message and exits 2.
 * The message always says what to do.
 */
export class VersioningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VersioningError';
  }
}

/** Git output can be large (the blobs of every changed detection); bounded to keep memory sane. */
const MAX_GIT_OUTPUT = 1024 * 1024 * 1024;

export interface GitResult {
  status: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs git synchronously. Never uses the user's pager, never prompts. */
export function git(cwd: string, args: string[], input?: string | Buffer): GitResult {
  const r = spawnSync('git', ['-c', 'core.quotepath=off', ...args], {
    cwd,
    input,
    maxBuffer: MAX_GIT_OUTPUT,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' },
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new VersioningError('git is not installed or not on PATH; version-check reads the base ref from git');
    throw new VersioningError(`cannot run git: ${r.error.message}`);
  }
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr.toString('utf8').trim() };
}

/** The base a working tree is compared with. */
export interface GitBase {
  /** Top-level directory of the git working tree. */
  repoRoot: string;
  /** The ref as given (`origin/main`, a sha, `HEAD~1`, …). */
  ref: string;
  /** Commit the ref points at. */
  refCommit: string;
  /**
   * Commit actually compared with: the merge base of REF and HEAD (what `git diff REF...` uses,
   * so changes that landed on the base branch after this branch forked are not mistaken for
   * reverts), or REF itself when there is no merge base (unrelated histories, shallow clone).
   */
  commit: string;
  /** True when `commit` is the merge base and differs from `refCommit`. */
  usedMergeBase: boolean;
  shallow: boolean;
}

export function toPosix(p: string): string {
  return p.split(sep).join('/');
}

/** Resolves REF in the repository that holds `dir`; throws VersioningError with a remedy. */
export function resolveBase(dir: string, ref: string): GitBase {
  if (!ref || ref.startsWith('-'))
    throw new VersioningError(
      `invalid --base ref ${JSON.stringify(ref)}; pass a branch, tag or commit, e.g. --base origin/main`,
    );
  const top = git(dir, ['rev-parse', '--show-toplevel']);
  if (top.status !== 0) {
    throw new VersioningError(
      `${dir} is not inside a git repository; version-check compares the working tree with a git ref (${top.stderr || 'git rev-parse failed'})`,
    );
  }
  const repoRoot = resolve(top.stdout.toString('utf8').trim());
  const shallow = git(repoRoot, ['rev-parse', '--is-shallow-repository']).stdout.toString('utf8').trim() === 'true';
  const rev = git(repoRoot, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  if (rev.status !== 0) throw new VersioningError(unknownRefMessage(repoRoot, ref, shallow));
  const refCommit = rev.stdout.toString('utf8').trim();
  let commit = refCommit;
  const head = git(repoRoot, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (head.status === 0) {
    const mb = git(repoRoot, ['merge-base', refCommit, head.stdout.toString('utf8').trim()]);
    if (mb.status === 0) commit = mb.stdout.toString('utf8').trim() || refCommit;
  }
  return { repoRoot, ref, refCommit, commit, usedMergeBase: commit !== refCommit, shallow };
}

function unknownRefMessage(repoRoot: string, ref: string, shallow: boolean): string {
  const remotes = git(repoRoot, ['remote']).stdout.toString('utf8').split('\n').filter(Boolean);
  const slash = ref.indexOf('/');
  const remote = slash > 0 && remotes.includes(ref.slice(0, slash)) ? ref.slice(0, slash) : undefined;
  const fetch = remote ? `git fetch ${remote} ${ref.slice(slash + 1)}` : `git fetch origin ${ref}`;
  if (shallow) {
    return `base ref ${JSON.stringify(ref)} is not in this shallow clone; run \`git fetch --unshallow\` (or \`${fetch}\`), or in GitHub Actions check out with \`fetch-depth: 0\``;
  }
  return `unknown base ref ${JSON.stringify(ref)}: no such branch, tag or commit in ${repoRoot}; check the name, or fetch it first with \`${fetch}\``;
}

export interface TreeEntry {
  mode: string;
  oid: string;
}

/**
 * Lists the blobs under `prefix` (a directory relative to the repository root; '' for the root)
 * at `commit`, keyed by path relative to `prefix`. A prefix missing at that commit lists nothing.
 */
export function listTree(base: Pick<GitBase, 'repoRoot'>, commit: string, prefix: string): Map<string, TreeEntry> {
  const treeish = prefix ? `${commit}:${prefix}` : `${commit}^{tree}`;
  const r = git(base.repoRoot, ['ls-tree', '-r', '-z', '--end-of-options', treeish]);
  const out = new Map<string, TreeEntry>();
  if (r.status !== 0) {
    // The directory did not exist at the base: everything under it is new.
    if (prefix && /not a valid object name|not a tree object|Not a valid object name/i.test(r.stderr)) return out;
    throw new VersioningError(`git ls-tree ${treeish} failed: ${r.stderr}`);
  }
  const text = r.stdout.toString('utf8');
  for (const rec of text.split('\0')) {
    if (!rec) continue;
    // "<mode> SP <type> SP <oid> TAB <path>"
    const tab = rec.indexOf('\t');
    const [mode, type, oid] = rec.slice(0, tab).split(' ');
    if (type !== 'blob' || !oid || !mode) continue;
    if (mode === '120000') continue; // symlinks are not content files
    out.set(rec.slice(tab + 1), { mode, oid });
  }
  return out;
}

/**
 * Reads many blobs with ONE `git cat-file --batch` process: all object ids go in on stdin, the
 * objects come back as `<oid> <type> <size>\n<bytes>\n` records.
 */
export function readBlobs(base: Pick<GitBase, 'repoRoot'>, oids: Iterable<string>): Map<string, Buffer> {
  const wanted = [...new Set(oids)];
  const out = new Map<string, Buffer>();
  if (wanted.length === 0) return out;
  const r = git(base.repoRoot, ['cat-file', '--batch'], `${wanted.join('\n')}\n`);
  if (r.status !== 0) throw new VersioningError(`git cat-file --batch failed: ${r.stderr}`);
  const buf = r.stdout;
  let pos = 0;
  for (let i = 0; i < wanted.length && pos < buf.length; i++) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) break;
    const header = buf.subarray(pos, nl).toString('utf8');
    pos = nl + 1;
    const parts = header.split(' ');
    if (parts[1] === 'missing' || parts.length < 3) continue;
    const size = Number(parts[2]);
    out.set(parts[0]!, buf.subarray(pos, pos + size));
    pos += size + 1;
  }
  for (const oid of wanted) {
    if (!out.has(oid))
      throw new VersioningError(
        `git object ${oid} is missing from the repository (partial or shallow clone?); run \`git fetch --unshallow\` or \`git fetch --refetch\``,
      );
  }
  return out;
}

/** The git blob id of some bytes (what `git hash-object` prints), to skip unchanged files cheaply. */
export function gitBlobId(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/**
 * The git blob id of a file, read in 1 MiB pieces: a lookup CSV of any size (over the 2 GiB a
 * Buffer holds) is hashed in constant memory (issue 12 case 6).
 */
export function gitBlobIdOfFile(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const hash = createHash('sha1').update(`blob ${size}\0`);
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null))
      hash.update(buf.subarray(0, n));
    return hash.digest('hex');
  } finally {
    closeSync(fd);
  }
}

/** Path of `abs` relative to the repository root, posix separators; '' for the root itself. */
export function repoRelative(repoRoot: string, abs: string): string {
  const r = toPosix(relative(repoRoot, abs));
  return r === '.' ? '' : r;
}
