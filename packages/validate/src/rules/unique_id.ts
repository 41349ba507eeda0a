import type { TreeFinding, TreeRule } from '../types.js';

/** contentctl: ids are global; a second object with the same id, of any kind, is an error. */
export const uniqueId: TreeRule = {
  id: 'unique-id',
  scope: 'tree',
  kinds: ['detection', 'story', 'data_source', 'macro', 'lookup'],
  defaultSeverity: 'error',
  description: 'Every id is unique across the whole content tree (all kinds).',
  check(ctx) {
    const byId = new Map<string, typeof ctx.files>();
    for (const f of ctx.files) {
      if (!f.id) continue;
      const key = f.id.value.toLowerCase();
      const list = byId.get(key);
      if (list) list.push(f);
      else byId.set(key, [f]);
    }
    const out: TreeFinding[] = [];
    for (const list of byId.values()) {
      if (list.length < 2) continue;
      for (const f of list) {
        if (!f.reported) continue;
        const others = list.filter((o) => o !== f).map((o) => o.file);
        out.push({ file: f.file, line: f.id!.line, column: f.id!.column, message: `id ${f.id!.value} is also used by ${others.join(', ')}` });
      }
    }
    return out;
  },
};
