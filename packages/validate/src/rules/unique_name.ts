import type { TreeFinding, TreeRule } from '../types.js';

/** contentctl: names are global; a second object with the same name, of any kind, is an error. */
export const uniqueName: TreeRule = {
  id: 'unique-name',
  scope: 'tree',
  kinds: ['detection', 'story', 'data_source', 'macro', 'lookup'],
  defaultSeverity: 'error',
  description: 'Every name is unique across the whole content tree (all kinds).',
  check(ctx) {
    const byName = new Map<string, typeof ctx.files>();
    for (const f of ctx.files) {
      if (!f.name) continue;
      const list = byName.get(f.name.value);
      if (list) list.push(f);
      else byName.set(f.name.value, [f]);
    }
    const out: TreeFinding[] = [];
    for (const list of byName.values()) {
      if (list.length < 2) continue;
      for (const f of list) {
        if (!f.reported) continue;
        const others = list.filter((o) => o !== f).map((o) => o.file);
        out.push({ file: f.file, line: f.name!.line, column: f.name!.column, message: `name "${f.name!.value}" is also used by ${others.join(', ')}` });
      }
    }
    return out;
  },
};
