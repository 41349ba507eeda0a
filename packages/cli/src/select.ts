import { existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { snakeCase, type ContentItem } from '@dac/content';

/**
 * The one way every command names detections: a YAML file, a folder (every detection under it),
 * a detection name (`Windows Ngrok Reverse Proxy Usage`, any case), its snake_case form or file
 * stem (`windows_ngrok_reverse_proxy_usage`), or its id. Paths are tried relative to the current
 * folder, then to the content root.
 */
export type DetectionSelection = { files: string[] } | { error: string };

export function selectDetections(
  detections: readonly ContentItem<'detection'>[],
  root: string,
  selectors: readonly string[],
  cwd: string = process.cwd(),
): DetectionSelection {
  const files: string[] = [];
  const add = (f: string) => {
    if (!files.includes(f)) files.push(f);
  };
  for (const sel of selectors) {
    const hits = matchOne(detections, root, sel, cwd);
    if (typeof hits === 'string') return { error: hits };
    for (const h of hits) add(h);
  }
  return { files };
}

function matchOne(
  detections: readonly ContentItem<'detection'>[],
  root: string,
  sel: string,
  cwd: string,
): string[] | string {
  // A path (file or folder) that exists.
  for (const abs of isAbsolute(sel) ? [sel] : [resolve(cwd, sel), resolve(root, sel)]) {
    if (!existsSync(abs)) continue;
    const rel = relative(root, abs);
    if (rel.startsWith('..') || isAbsolute(rel))
      return `${sel} is outside the content root ${root} (pass --content to choose another root)`;
    const relPosix = rel.split(sep).join('/');
    const isDir = statSync(abs).isDirectory();
    const hits = detections
      .map((d) => d.file.relPath)
      .filter((f) => (isDir ? relPosix === '' || f.startsWith(`${relPosix}/`) : f === relPosix));
    if (hits.length === 0)
      return isDir ? `no detection under ${sel}` : `${sel} is not a detection file (detections/**/*.yml)`;
    return hits;
  }
  // A name, id, snake_case name or file stem.
  const want = sel.toLowerCase();
  const stem = (f: string) => f.slice(f.lastIndexOf('/') + 1).replace(/\.ya?ml$/i, '');
  const hits = detections.filter((d) => {
    const name = d.model?.name.value;
    const id = d.model?.id.value;
    return (
      (typeof name === 'string' && (name.toLowerCase() === want || snakeCase(name) === sel)) ||
      (typeof id === 'string' && id.toLowerCase() === want) ||
      stem(d.file.relPath) === sel
    );
  });
  if (hits.length === 0)
    return `no detection named ${JSON.stringify(sel)} (give a detection name, its file or folder, or its id)`;
  return hits.map((h) => h.file.relPath);
}
