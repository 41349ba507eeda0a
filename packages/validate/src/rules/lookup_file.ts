import type { TreeFinding, TreeRule } from '../types.js';

interface LookupFileRef {
  filename: string;
  line: number;
  column: number;
}

/**
 * contentctl ≥ 4.1.5: a CSV lookup's `filename` exists beside its YAML in lookups/, and every
 * `.csv`/`.mlmodel` file in lookups/ belongs to a lookup YAML; no other file types are allowed there.
 */
export const lookupFile: TreeRule<LookupFileRef> = {
  id: 'lookup-file',
  scope: 'tree',
  kinds: ['lookup'],
  defaultSeverity: 'error',
  description:
    "A lookup's `filename` exists in lookups/, and every file in lookups/ is a .csv/.mlmodel that a lookup YAML names.",
  collect(ctx) {
    const filename = ctx.lookup!.filename;
    if (filename.value === undefined || ctx.schemaFailed(filename)) return undefined;
    return { filename: filename.value, ...ctx.pos(filename) };
  },
  check(ctx) {
    const present = new Set(ctx.lookupFiles.map((f) => f.slice(f.lastIndexOf('/') + 1)));
    const out: TreeFinding[] = [];
    for (const { facts, value } of ctx.collected()) {
      if (!present.has(value.filename)) {
        out.push({
          file: facts.file,
          line: value.line,
          column: value.column,
          message: `lookup file ${value.filename} does not exist in lookups/`,
        });
      }
    }
    // Orphans are judged against every lookup YAML (reported or not); reported when the file itself is.
    const named = new Set(ctx.ofKind('lookup').flatMap((f) => (f.filename ? [f.filename] : [])));
    const stems = new Set(
      ctx.ofKind('lookup').map((f) => f.file.slice(f.file.lastIndexOf('/') + 1).replace(/\.ya?ml$/i, '')),
    );
    for (const rel of ctx.lookupFiles) {
      if (!ctx.isReported(rel)) continue;
      const base = rel.slice(rel.lastIndexOf('/') + 1);
      if (!/\.(csv|mlmodel)$/i.test(base)) {
        out.push({
          file: rel,
          line: 1,
          column: 1,
          message: `only .csv and .mlmodel files (and lookup YAMLs) belong in lookups/; found ${base}`,
        });
      } else if (!named.has(base) && !stems.has(base.replace(/\.(csv|mlmodel)$/i, ''))) {
        out.push({
          file: rel,
          line: 1,
          column: 1,
          message: `${base} is not the filename of any lookup YAML in lookups/`,
        });
      }
    }
    return out;
  },
};
