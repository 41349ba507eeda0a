import { closestName, externalLookupSource, type Argument, type Pipeline } from '@dac/spl';
import type { TreeFinding, TreeRule } from '../types.js';

interface LookupRef {
  name: string;
  command: string;
  line: number;
  column: number;
}

const LOOKUP_COMMANDS = new Set(['lookup', 'inputlookup', 'outputlookup']);

/** The table name of a lookup command: its first bare word (options such as `append=t` come as options). */
function tableArg(args: Argument[]): Argument | undefined {
  return args.find((a) => a.kind === 'word');
}

function walk(p: Pipeline, visit: (command: string, arg: Argument) => void, depth = 0): void {
  if (depth > 50) return;
  for (const c of p.commands) {
    if (c.kind !== 'command') continue;
    if (LOOKUP_COMMANDS.has(c.name)) {
      const a = tableArg(c.args);
      if (a) visit(c.name, a);
    }
    for (const a of c.args) if (a.kind === 'subsearch') walk(a.pipeline, visit, depth + 1);
  }
}

/** Every lookup the search reads or writes (`lookup`, `inputlookup`, `outputlookup`) is defined in lookups/. */
export const unknownLookup: TreeRule<LookupRef[]> = {
  id: 'unknown-lookup',
  scope: 'tree',
  kinds: ['detection'],
  defaultSeverity: 'error',
  description:
    'Every lookup used with lookup/inputlookup/outputlookup is defined in lookups/ (by name, or by file name for inputlookup).',
  collect(ctx) {
    const search = ctx.search();
    if (!search) return undefined;
    const refs: LookupRef[] = [];
    walk(search.parsed.pipeline, (command, arg) => {
      if (arg.kind !== 'word') return;
      refs.push({ name: arg.value.value, command, ...search.positionOfExpanded(arg.span.start) });
    });
    return refs.length ? refs : undefined;
  },
  check(ctx) {
    const lookups = ctx.ofKind('lookup');
    const names = lookups.flatMap((f) => (f.name ? [f.name.value] : []));
    const files = new Set(lookups.flatMap((f) => (f.filename ? [f.filename] : [])));
    const out: TreeFinding[] = [];
    for (const { facts, value } of ctx.collected()) {
      for (const r of value) {
        // Lookups add-ons ship (@dac/spl EXTERNAL_LOOKUPS) exist on the search head, not in lookups/.
        if (externalLookupSource(r.name) !== undefined || ctx.nameExists('lookup', r.name) || files.has(r.name))
          continue;
        const s = closestName(r.name, names);
        out.push({
          file: facts.file,
          line: r.line,
          column: r.column,
          message: `unknown lookup "${r.name}" (${r.command}): no lookup with this name in lookups/${s ? ` (did you mean "${s}"?)` : ''}`,
        });
      }
    }
    return out;
  },
};
