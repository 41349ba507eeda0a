import type { ContentTree, DetectionData, DetectionTestData } from '@dac/content';
import { FixtureResolver, type FixtureOptions } from './fixtures.js';
import {
  contentContext,
  prepareDetection,
  type ContentContext,
  type PrepareDetectionOptions,
  type PreparedDetection,
  type Row,
} from './prepared.js';
import { issuePosition, type FixtureLimits } from './readers/index.js';
import { replayFiles, type ReplayInput, type ReplayStats } from './replay.js';

export interface TestCaseResult {
  /** Detection name. */
  detection: string;
  /** Content-relative detection file. */
  file: string;
  /** Test name (`True Positive Test`). */
  test: string;
  status: 'passed' | 'failed' | 'error' | 'skipped';
  /** One line: why it failed / errored / was skipped. */
  message?: string;
  /** Supporting lines (replay summary, malformed lines, rows) for reports. */
  details: string[];
  rows: Row[];
  expectedRows?: number;
  stats?: ReplayStats;
  seconds: number;
}

export interface RunTestsOptions extends PrepareDetectionOptions {
  /** Content-relative detection files to test; default: every detection that has tests. */
  files?: string[];
  /** Where attack_data files come from besides test/attack_data/: a clone, the download cache, downloads. */
  fixtures?: FixtureOptions;
  /** Per detection file: compiled predicates (generated matchers); overrides `compiledPredicate`. */
  compiledPredicateFor?: (file: string) => PrepareDetectionOptions['compiledPredicate'];
  onStart?: (total: number) => void;
  onResult?: (r: TestCaseResult, index: number, total: number) => void;
}

/**
 * A value counts as populated when it is present, not empty and not tstats' fillnull placeholder
 * (ESCU's `null`): the observable really came from the data.
 */
function populated(v: Row[string] | undefined, fill: string | undefined): boolean {
  if (v === undefined) return false;
  const vals = Array.isArray(v) ? v : [v];
  return vals.some((x) => x !== '' && x !== fill);
}

/**
 * The pass rule of one test:
 * - without `expected_rows` (ESCU's true-positive rule): at least one row in which every
 *   observable field is populated;
 * - with `expected_rows: N` (dac extension): exactly N rows, and for N > 0 also one row with every
 *   observable populated; `expected_rows: 0` is a benign (false-positive regression) test.
 */
export function judge(
  rows: Row[],
  observables: string[],
  expected: number | undefined,
  fill: string | undefined,
): { ok: boolean; message: string } {
  const full = rows.filter((r) => observables.every((o) => populated(r[o], fill)));
  if (expected !== undefined) {
    if (rows.length !== expected)
      return { ok: false, message: `expected exactly ${expected} row(s), got ${rows.length}` };
    if (expected > 0 && full.length === 0)
      return {
        ok: false,
        message: `${rows.length} row(s), but none has every observable populated (${observables.join(', ')})`,
      };
    return { ok: true, message: `${rows.length} row(s) as expected` };
  }
  if (rows.length === 0) return { ok: false, message: 'no rows: the detection did not fire' };
  if (full.length === 0) {
    const missing = observables.filter((o) => !rows.some((r) => populated(r[o], fill)));
    return {
      ok: false,
      message: `${rows.length} row(s), but none has every observable populated (missing: ${missing.join(', ') || 'some in each row'})`,
    };
  }
  return { ok: true, message: `${full.length} of ${rows.length} row(s) with every observable populated` };
}

function summaryLines(stats: ReplayStats): string[] {
  const lines = [
    `events read ${stats.eventsRead}, malformed ${stats.malformed}, skipped ${stats.skipped}${stats.inDataSet !== undefined ? `, in data set ${stats.inDataSet}` : ''}, rows ${stats.rows}`,
  ];
  lines.push(...stats.notes);
  for (const f of stats.files) {
    if (f.error) lines.push(`${f.path}: ${f.error}`);
    for (const i of f.issues.slice(0, 20)) lines.push(`${issuePosition(f.path, i)}: ${i.kind}: ${i.message}`);
  }
  return lines;
}

/**
 * Runs the `tests:` of detections against local fixtures; the network only with
 * `fixtures.download`. Every test gets a result; problems are results, not exceptions.
 */
export async function runTests(tree: ContentTree, opts: RunTestsOptions = {}): Promise<TestCaseResult[]> {
  const wanted = opts.files ? new Set(opts.files) : undefined;
  const items = tree.detections
    .filter((d) => d.data && (!wanted || wanted.has(d.file.relPath)))
    .filter((d) => Array.isArray(d.data!.tests) && d.data!.tests.length > 0)
    .map((d) => ({ file: d.file.relPath, data: d.data as DetectionData }));
  const total = items.reduce((a, d) => a + (d.data.tests?.length ?? 0), 0);
  opts.onStart?.(total);
  const ctx = contentContext(tree);
  const fixtures = new FixtureResolver(tree.root, opts.fixtures);
  const results: TestCaseResult[] = [];
  const push = (r: TestCaseResult) => {
    results.push(r);
    opts.onResult?.(r, results.length, total);
  };
  for (const { file, data } of items) {
    const compiledPredicate = opts.compiledPredicateFor?.(file) ?? opts.compiledPredicate;
    const prep = prepareDetection({ file, data }, ctx, { now: opts.now, compiledPredicate });
    for (const test of data.tests as (DetectionTestData | null | undefined)[]) {
      const t0 = performance.now();
      if (!test || typeof test !== 'object') {
        push({
          detection: data.name,
          file,
          test: '(invalid test entry)',
          status: 'error',
          message: 'a tests: entry is not a mapping',
          rows: [],
          details: [],
          seconds: 0,
        });
        continue;
      }
      const base = {
        detection: data.name,
        file,
        test: typeof test?.name === 'string' ? test.name : '(unnamed test)',
        rows: [] as Row[],
        details: [] as string[],
        expectedRows: test?.expected_rows,
      };
      if (!prep.replayable) {
        push({ ...base, status: 'error', message: prep.reason, seconds: 0 });
        continue;
      }
      const inputs: ReplayInput[] = [];
      const problems: string[] = [];
      for (const ad of Array.isArray(test.attack_data) ? test.attack_data : []) {
        if (!ad || typeof ad.data !== 'string' || typeof ad.sourcetype !== 'string') {
          problems.push('attack_data entry without data/sourcetype');
          continue;
        }
        const fx = await fixtures.resolve(ad.data);
        if ('error' in fx) {
          problems.push(fx.error);
          continue;
        }
        inputs.push({
          path: fx.path,
          sourcetype: ad.sourcetype,
          source: typeof ad.source === 'string' ? ad.source : undefined,
        });
      }
      if (inputs.length === 0 && problems.length === 0) problems.push('test has no attack_data');
      if (problems.length) {
        push({
          ...base,
          status: 'failed',
          message: problems[0],
          details: problems,
          seconds: (performance.now() - t0) / 1000,
        });
        continue;
      }
      const r = await runOne(prep, ctx, inputs, test.expected_rows, opts.now, tree.config.limits);
      push({ ...base, ...r, seconds: (performance.now() - t0) / 1000 });
    }
  }
  return results;
}

async function runOne(
  prep: PreparedDetection,
  ctx: ContentContext,
  inputs: ReplayInput[],
  expected: number | undefined,
  now: number | undefined,
  limits: Partial<FixtureLimits> | undefined,
): Promise<Pick<TestCaseResult, 'status' | 'message' | 'details' | 'rows' | 'stats'>> {
  const { rows, stats } = await replayFiles(prep, inputs, ctx, { now, limits });
  const details = summaryLines(stats);
  const unreadable = stats.files.filter((f) => f.error);
  if (unreadable.length) return { status: 'failed', message: unreadable[0]!.error, details, rows, stats };
  const verdict = judge(rows, prep.observables, expected, prep.fillnull);
  for (const row of rows.slice(0, 20)) details.push(JSON.stringify(row));
  return { status: verdict.ok ? 'passed' : 'failed', message: verdict.message, details, rows, stats };
}
