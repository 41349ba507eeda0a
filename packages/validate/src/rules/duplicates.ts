import type { TreeFinding, TreeRule } from '../types.js';

type FileFacts = Parameters<TreeRule['check']>[0]['files'][number];
type Located = { value: string; line: number; column: number };

/**
 * Findings for values that more than one file uses: one finding per reported file, at the
 * value's position, naming the other files. Shared by the global-uniqueness rules.
 */
export function duplicateFindings(
  files: readonly FileFacts[],
  pick: (f: FileFacts) => Located | undefined,
  key: (value: string) => string,
  describe: (value: string) => string,
): TreeFinding[] {
  const groups = new Map<string, FileFacts[]>();
  for (const f of files) {
    const v = pick(f);
    if (!v) continue;
    const k = key(v.value);
    const list = groups.get(k);
    if (list) list.push(f);
    else groups.set(k, [f]);
  }
  const out: TreeFinding[] = [];
  for (const list of groups.values()) {
    if (list.length < 2) continue;
    for (const f of list) {
      if (!f.reported) continue;
      const v = pick(f)!;
      const others = list.filter((o) => o !== f).map((o) => o.file);
      out.push({
        file: f.file,
        line: v.line,
        column: v.column,
        message: `${describe(v.value)} is also used by ${others.join(', ')}`,
      });
    }
  }
  return out;
}
