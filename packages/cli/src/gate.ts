import type { ContentTree, Diagnostic } from '@dac/content';

/**
 * The pull-request gate's baseline: which diagnostics were already there at the base. A
 * diagnostic is identified by its rule, the object it is about and its message — not by its file
 * or line, so moving a detection, renaming its file or inserting lines above a known problem does
 * not make that problem new. The object is a detection's id (ESCU tracks detections by id), else
 * the object's kind and name, else the file path.
 */

/** content-relative file → the identity of the object in it. */
export type Subjects = Map<string, string>;

export function subjectsOf(tree: Pick<ContentTree, 'items'>): Subjects {
  const out: Subjects = new Map();
  for (const item of tree.items) {
    const id = item.model?.id.value;
    const name = item.model?.name.value;
    if (item.kind === 'detection' && typeof id === 'string' && id.trim())
      out.set(item.file.relPath, `id:${id.trim().toLowerCase()}`);
    else if (typeof name === 'string' && name.trim()) out.set(item.file.relPath, `${item.kind}:${name.trim()}`);
  }
  return out;
}

/**
 * A message without the positions it may quote (`other.yml:12:3` → `other.yml`, "line 12" →
 * "line #"), so the key stays the same when only lines moved.
 */
export function normaliseMessage(message: string): string {
  return message
    .replace(/(\.ya?ml|\.csv|\.md|\.json):\d+(?::\d+)?/gi, '$1')
    .replace(/\b(line|column|col)\s+\d+/gi, '$1 #');
}

export function baselineKey(d: Diagnostic, subjects: Subjects): string {
  return `${d.rule}\u0000${subjects.get(d.file) ?? `file:${d.file}`}\u0000${normaliseMessage(d.message)}`;
}

export interface BaselineSplit {
  /** Diagnostics the change introduced (or whose message it changed). */
  fresh: Diagnostic[];
  /** Diagnostics that were at the base with the same key (as many times as there). */
  known: Diagnostic[];
}

/**
 * Splits the working tree's diagnostics into fresh and known ones. Keys are counted, so a
 * second copy of a known problem (e.g. a detection copied into a new file with the same id) is fresh.
 */
export function splitByBaseline(
  head: readonly Diagnostic[],
  headSubjects: Subjects,
  base: readonly Diagnostic[],
  baseSubjects: Subjects,
): BaselineSplit {
  const counts = new Map<string, number>();
  for (const d of base) {
    const k = baselineKey(d, baseSubjects);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const fresh: Diagnostic[] = [];
  const known: Diagnostic[] = [];
  for (const d of head) {
    const k = baselineKey(d, headSubjects);
    const n = counts.get(k) ?? 0;
    if (n > 0) {
      counts.set(k, n - 1);
      known.push(d);
    } else fresh.push(d);
  }
  return { fresh, known };
}
