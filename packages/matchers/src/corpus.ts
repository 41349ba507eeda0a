import type { SearchExpr } from './ast.js';
import type { CompileResult } from './compile.js';
import type { DetectionSearch } from './content.js';

/**
 * Corpus coverage figures (issue 3): how many tstats-from-datamodel detections compile to a typed
 * matcher that type-checks, and why the rest do not. Used by the benchmark and the corpus test.
 */
export interface CorpusFigures {
  detections: number;
  /** Searches starting with `| tstats`. */
  tstats: number;
  /** … with `from datamodel=`. */
  tstatsFromDatamodel: number;
  /** Got a CompiledMatcher (no error: fields known, constructs supported, type-checks). */
  compiled: number;
  /** Where-clause uses only =, !=, IN, NOT, AND, OR, parentheses, wildcards (or no where). */
  inSubset: number;
  /** In-subset detections that failed for a reason of the compiler (must be 0). */
  inSubsetCompilerFailures: string[];
  /** Failed detections by reason (one reason per detection: its first error). */
  reasons: Map<string, string[]>;
  /** Warnings (e.g. data models outside CIM 4.20) by reason. */
  warnings: Map<string, number>;
}

/** Whether a where-clause stays within the subset: =, !=, IN, NOT, AND, OR, (), wildcards. */
export function inBasicSubset(e: SearchExpr | undefined): boolean {
  if (!e) return true;
  switch (e.kind) {
    case 'and':
    case 'or':
      return e.args.every(inBasicSubset);
    case 'not':
      return inBasicSubset(e.arg);
    case 'compare':
      return (e.op === '=' || e.op === '!=') && e.field !== 'nodename';
    case 'in':
      return true;
    default:
      return false;
  }
}

function reasonOf(rule: string, message: string): string {
  if (rule === 'datamodel-unknown') {
    const m = /data model (\S+) is not part of/.exec(message);
    if (m) return `data model ${m[1]} is not in Splunk_SA_CIM 4.20 (Enterprise Security)`;
    return 'unknown data model or dataset';
  }
  if (rule === 'datamodel-field') return 'field not in the CIM 4.20 data model (content error)';
  if (rule === 'matcher-unsupported') {
    if (message.includes('subsearch')) return 'unsupported: [subsearch] in where';
    if (message.includes('nodename')) return 'unsupported: nodename= child-dataset constraint';
    if (message.includes('bare search term')) return 'unsupported: bare search term (searches _raw)';
    return `unsupported: ${message}`;
  }
  return `${rule}: ${message}`;
}

export function corpusFigures(searches: DetectionSearch[], result: CompileResult): CorpusFigures {
  const f: CorpusFigures = {
    detections: searches.length,
    tstats: 0,
    tstatsFromDatamodel: 0,
    compiled: 0,
    inSubset: 0,
    inSubsetCompilerFailures: [],
    reasons: new Map(),
    warnings: new Map(),
  };
  for (const s of searches) {
    if (!s.tstats) continue;
    f.tstats++;
    if (!s.tstats.datamodel) continue;
    f.tstatsFromDatamodel++;
    const subset = inBasicSubset(s.tstats.where);
    if (subset) f.inSubset++;
    const diags = result.diagnostics.get(s.id) ?? [];
    for (const d of diags.filter((x) => x.severity === 'warning')) {
      const r = reasonOf(d.rule, d.message);
      f.warnings.set(r, (f.warnings.get(r) ?? 0) + 1);
    }
    if (result.matchers.has(s.id)) {
      f.compiled++;
      continue;
    }
    const first = diags.find((d) => d.severity === 'error') ?? diags[0];
    const reason = first ? reasonOf(first.rule, first.message) : 'no matcher and no diagnostic';
    const list = f.reasons.get(reason) ?? [];
    list.push(`${s.item.file.relPath}: ${first?.message ?? ''}`);
    f.reasons.set(reason, list);
    const contentProblem = diags.some((d) => d.rule === 'datamodel-field' || d.rule === 'datamodel-unknown');
    if (subset && !contentProblem) f.inSubsetCompilerFailures.push(`${s.item.file.relPath}: ${first?.message ?? ''}`);
  }
  return f;
}

export function formatFigures(f: CorpusFigures): string {
  const pct = (n: number, d: number) => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`);
  const lines = [
    `detections: ${f.detections}; searches starting with | tstats: ${f.tstats}; tstats from datamodel: ${f.tstatsFromDatamodel}`,
    `compiled to a typed matcher that type-checks: ${f.compiled} / ${f.tstatsFromDatamodel} (${pct(f.compiled, f.tstatsFromDatamodel)})`,
    `where-clause within =, !=, IN, NOT, AND, OR, (), wildcards: ${f.inSubset}; of those failing for a compiler reason: ${f.inSubsetCompilerFailures.length}`,
    'not compiled, by reason:',
  ];
  for (const [reason, items] of [...f.reasons].sort((a, b) => b[1].length - a[1].length)) {
    lines.push(`  ${items.length}  ${reason}`);
    for (const i of items.slice(0, 8)) lines.push(`       ${i}`);
  }
  if (f.warnings.size > 0) {
    lines.push('warnings:');
    for (const [r, n] of f.warnings) lines.push(`  ${n}  ${r}`);
  }
  return lines.join('\n');
}
