import { closestName } from '@dac/spl';
import type { TreeFinding, TreeRule } from '../types.js';

interface StoryRef {
  name: string;
  line: number;
  column: number;
  duplicate: boolean;
}

/** contentctl: each tags.analytic_story names an existing story; duplicates in the list are errors. */
export const unknownStory: TreeRule<StoryRef[]> = {
  id: 'unknown-story',
  scope: 'tree',
  kinds: ['detection'],
  defaultSeverity: 'error',
  description: 'Every tags.analytic_story entry names a story in stories/, at most once.',
  collect(ctx) {
    const list = ctx.detection!.tags.value?.analytic_story.value;
    if (!list) return undefined;
    const seen = new Set<string>();
    const refs: StoryRef[] = [];
    for (const f of list) {
      const name = f.value;
      if (name === undefined || ctx.schemaFailed(f)) continue;
      refs.push({ name, ...ctx.pos(f), duplicate: seen.has(name) });
      seen.add(name);
    }
    return refs;
  },
  check(ctx) {
    const names = ctx.ofKind('story').flatMap((f) => (f.name ? [f.name.value] : []));
    const out: TreeFinding[] = [];
    for (const { facts, value } of ctx.collected()) {
      for (const r of value) {
        if (r.duplicate) {
          out.push({
            file: facts.file,
            line: r.line,
            column: r.column,
            message: `analytic story "${r.name}" is listed twice`,
          });
        } else if (!ctx.nameExists('story', r.name)) {
          const s = closestName(r.name, names);
          out.push({
            file: facts.file,
            line: r.line,
            column: r.column,
            message: `unknown analytic story "${r.name}": no story with this name in stories/${s ? ` (did you mean "${s}"?)` : ''}`,
          });
        }
      }
    }
    return out;
  },
};
