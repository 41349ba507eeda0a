import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CONFIG_FILE, CONTENTCTL_FILE, parseYamlText } from '@dac/content';
import { kindOfPath, type Comparison } from './compare.js';
import { gitBlobId, listTree, readBlobs } from './git.js';

export interface MaterializedBase {
  /** The folder now holding the base's content files. */
  dir: string;
  /** Files written. */
  files: number;
  /** Of those, copied from the working tree because their blob is identical there. */
  copied: number;
}

/**
 * Writes the content files of the comparison's base commit — every file under the content folders,
 * the config (dac.config.yaml / contentctl.yml) and the package.json its `app.version_from` names —
 * into `dir`, so the base can be validated exactly like a working tree. Read from git objects, never
 * a checkout: a file whose blob equals the working tree's at the same path is copied from there,
 * every other blob comes from one `git cat-file --batch`. `dir` should be a fresh empty folder.
 */
export function materializeBase(cmp: Comparison, dir: string): MaterializedBase {
  const out = resolve(dir);
  const tree = listTree(cmp.base, cmp.base.commit, cmp.prefix);
  const wanted = new Map<string, string>();
  for (const [rel, entry] of tree) {
    if (kindOfPath(rel) || rel === CONFIG_FILE || rel === CONTENTCTL_FILE) wanted.set(rel, entry.oid);
  }
  // The app version a dac.config.yaml reads from a package.json (the changesets package).
  const configOid = wanted.get(CONFIG_FILE);
  if (configOid) {
    const text = readBlobs(cmp.base, [configOid]).get(configOid)!;
    const value = parseYamlText(text, CONFIG_FILE, CONFIG_FILE).value as { app?: { version_from?: unknown } } | null;
    const from = value?.app?.version_from;
    if (typeof from === 'string' && !from.includes('..')) {
      const entry = tree.get(from.replace(/^\.\//, ''));
      if (entry) wanted.set(from.replace(/^\.\//, ''), entry.oid);
    }
  }
  const fromGit: [string, string][] = [];
  let copied = 0;
  for (const [rel, oid] of wanted) {
    const work = cmp.workFiles.get(rel);
    const target = join(out, rel);
    if (work && work.oid === oid) {
      mkdirSync(dirname(target), { recursive: true });
      if (work.bytes) writeFileSync(target, work.bytes);
      else copyFileSync(work.path, target);
      copied++;
    } else fromGit.push([rel, oid]);
  }
  const blobs = readBlobs(
    cmp.base,
    fromGit.map(([, oid]) => oid),
  );
  for (const [rel, oid] of fromGit) {
    const target = join(out, rel);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, blobs.get(oid)!);
  }
  return { dir: out, files: wanted.size, copied };
}

/**
 * The files a change touches: working-tree content files (and the config files) that are new or
 * whose bytes differ from the base at the same path, content-relative. A moved file counts.
 */
export function changedFiles(cmp: Comparison): string[] {
  const out: string[] = [];
  for (const [rel, work] of cmp.workFiles) if (cmp.baseFiles.get(rel)?.oid !== work.oid) out.push(rel);
  const tree = listTree(cmp.base, cmp.base.commit, cmp.prefix);
  for (const rel of [CONFIG_FILE, CONTENTCTL_FILE]) {
    const path = join(cmp.root, rel);
    if (!existsSync(path)) continue;
    if (tree.get(rel)?.oid !== gitBlobId(readFileSync(path))) out.push(rel);
  }
  return out.sort();
}
