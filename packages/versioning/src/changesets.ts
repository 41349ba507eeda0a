import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readConfinedFile } from '@dac/fs';
import { dirname, join, relative } from 'node:path';
import parseChangeset from '@changesets/parse';
import { loadConfig, type Diagnostic } from '@dac/content';
import type { BumpLevel, ContentChange } from './check.js';
import type { Comparison } from './compare.js';
import { listTree, repoRelative, toPosix } from './git.js';

export interface ChangesetReport {
  /** False when the repository has no content package configured (`app.version_from`). */
  checked: boolean;
  /** Why the check did not run. */
  reason?: string;
  /** The content package (name in the `app.version_from` package.json), e.g. `@dac/app`. */
  package?: string;
  /** Changeset files added since the base, relative to the content root. */
  files: string[];
  /** Highest bump of the content package among those changesets ('none' when none bumps it). */
  level?: BumpLevel | 'none';
}

const LEVELS: Record<string, number> = { none: 0, patch: 1, minor: 2, major: 3 };

/**
 * When content changed, a changeset added since the base must bump the content package at least
 * as much as the change suggests (new ⇒ minor, changed ⇒ patch, removed ⇒ major).
 */
export function checkChangesets(
  cmp: Comparison,
  ctx: {
    ref: string;
    contentChanges: ContentChange[];
    suggestedBump: BumpLevel | undefined;
    diagnostics: Diagnostic[];
  },
): ChangesetReport {
  const { config, diagnostics: configDiagnostics } = loadConfig(cmp.root);
  const versionFrom = config.versionFrom;
  if (!versionFrom) {
    return {
      checked: false,
      reason: 'no app.version_from in dac.config.yaml, so there is no content package for a changeset to bump',
      files: [],
    };
  }
  let pkg: string | undefined;
  try {
    const json = JSON.parse(readConfinedFile(cmp.root, versionFrom, { maxBytes: 1 << 20 }).toString('utf8')) as {
      name?: unknown;
    };
    if (typeof json.name === 'string' && json.name) pkg = json.name;
  } catch {
    // reported below through loadConfig's diagnostic
  }
  if (!pkg) {
    const d = configDiagnostics.find((x) => x.rule === 'config');
    ctx.diagnostics.push(
      d ?? {
        file: 'dac.config.yaml',
        line: 1,
        column: 1,
        severity: 'error',
        rule: 'changeset',
        message: `${versionFrom} (app.version_from) has no package "name"; changesets cannot bump it`,
      },
    );
    return { checked: false, reason: `cannot read the content package name from ${versionFrom}`, files: [] };
  }

  const dir = findChangesetDir(cmp.root, cmp.base.repoRoot);
  const rel = (abs: string) => toPosix(relative(cmp.root, abs));
  const changes = summarise(ctx.contentChanges);
  const anchor = ctx.contentChanges.find((c) => c.change !== 'removed')?.file ?? versionFrom;
  if (!dir) {
    if (ctx.suggestedBump) {
      ctx.diagnostics.push({
        file: anchor,
        line: 1,
        column: 1,
        severity: 'error',
        rule: 'changeset',
        message: `content changed since ${ctx.ref} (${changes}) but the repository has no .changeset/ directory; run \`npx changeset init\`, then \`npx changeset\` and choose a ${ctx.suggestedBump} bump of ${pkg}`,
      });
    }
    return { checked: true, package: pkg, files: [] };
  }
  const atBase = new Set(listTree(cmp.base, cmp.base.commit, repoRelative(cmp.base.repoRoot, dir)).keys());
  const added = readdirSync(dir)
    .filter(
      (n) => n.endsWith('.md') && n.toLowerCase() !== 'readme.md' && !atBase.has(n) && statSync(join(dir, n)).isFile(),
    )
    .sort();
  let level: BumpLevel | 'none' = 'none';
  let strongest: { file: string; line: number; column: number } | undefined;
  for (const name of added) {
    const abs = join(dir, name);
    const text = readFileSync(abs, 'utf8');
    let releases: { name: string; type: string }[];
    try {
      releases = parseChangeset(text).releases;
    } catch (e) {
      ctx.diagnostics.push({
        file: rel(abs),
        line: 1,
        column: 1,
        severity: 'error',
        rule: 'changeset',
        message: `changeset does not parse: ${(e as Error).message.split('\n')[0]}; its front matter must be --- then "package": patch|minor|major lines then ---`,
      });
      continue;
    }
    for (const r of releases) {
      if (r.name !== pkg) continue;
      if ((LEVELS[r.type] ?? 0) > LEVELS[level]!) {
        level = r.type as BumpLevel;
        strongest = { file: rel(abs), ...lineOf(text, pkg) };
      }
      if (!strongest) strongest = { file: rel(abs), ...lineOf(text, pkg) };
    }
  }
  const report: ChangesetReport = { checked: true, package: pkg, files: added.map((n) => rel(join(dir, n))), level };
  if (!ctx.suggestedBump) return report;
  const need = ctx.suggestedBump;
  if (level === 'none') {
    ctx.diagnostics.push({
      file: anchor,
      line: 1,
      column: 1,
      severity: 'error',
      rule: 'changeset',
      message: `content changed since ${ctx.ref} (${changes}) but no changeset added since then bumps ${pkg}; run \`npx changeset\`, select ${pkg} and choose ${need}`,
    });
  } else if (LEVELS[level]! < LEVELS[need]!) {
    ctx.diagnostics.push({
      file: strongest!.file,
      line: strongest!.line,
      column: strongest!.column,
      severity: 'error',
      rule: 'changeset',
      message: `changeset bumps ${pkg} by ${level} but the content change needs ${need} (${changes}); change it to "${pkg}": ${need}`,
    });
  }
  return report;
}

/** The nearest `.changeset/` directory from the content root up to the repository root. */
function findChangesetDir(root: string, repoRoot: string): string | undefined {
  let d = root;
  for (;;) {
    const c = join(d, '.changeset');
    if (existsSync(c) && statSync(c).isDirectory()) return c;
    if (d === repoRoot || dirname(d) === d) return undefined;
    d = dirname(d);
  }
}

function lineOf(text: string, pkg: string): { line: number; column: number } {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const col = lines[i]!.indexOf(pkg);
    if (col >= 0) return { line: i + 1, column: Math.max(1, col) };
  }
  return { line: 1, column: 1 };
}

function summarise(changes: ContentChange[]): string {
  const n = { added: 0, changed: 0, removed: 0 };
  for (const c of changes) n[c.change]++;
  const parts: string[] = [];
  if (n.added) parts.push(`${n.added} added ⇒ minor`);
  if (n.changed) parts.push(`${n.changed} changed ⇒ patch`);
  if (n.removed) parts.push(`${n.removed} removed ⇒ major`);
  return parts.join(', ');
}
