import { existsSync, statSync, writeFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { loadContent } from '@dac/content';
import { defaultCacheDir, runTests, toJUnit, type TestCaseResult } from '@dac/replay';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type DacCommand } from '../program.js';

interface TestOpts {
  content: string;
  junit?: string;
  typecheck: boolean;
  verbose?: boolean;
}

const MARK: Record<TestCaseResult['status'], string> = {
  passed: 'PASS',
  failed: 'FAIL',
  error: 'ERROR',
  skipped: 'SKIP',
};

/** The summary table printed after a run. */
export function formatTestTable(results: TestCaseResult[], verbose = false): string {
  const head = ['STATUS', 'DETECTION', 'TEST', 'ROWS', 'TIME'];
  const body = results.map((r) => [
    MARK[r.status],
    r.detection,
    r.test,
    r.expectedRows === undefined ? String(r.rows.length) : `${r.rows.length}/${r.expectedRows}`,
    `${(r.seconds * 1000).toFixed(0)} ms`,
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(w[i]!))).join('  ');
  const lines = [fmt(head)];
  results.forEach((r, i) => {
    lines.push(fmt(body[i]!));
    if (r.status !== 'passed' || verbose) {
      if (r.message) lines.push(`      ${r.message}`);
      for (const d of r.details.slice(0, verbose ? 50 : 8)) lines.push(`      ${d}`);
    }
  });
  const n = (s: TestCaseResult['status']) => results.filter((r) => r.status === s).length;
  lines.push('', `${results.length} test(s): ${n('passed')} passed, ${n('failed')} failed, ${n('error')} errors`);
  return `${lines.join('\n')}\n`;
}

/**
 * `dac test [--content DIR] [--junit FILE] [DETECTION ...]`: runs detections' `tests:` against
 * local fixtures under test/attack_data/. Exit 0 when every test passes, 1 otherwise, 2 on usage.
 */
export const testCommand: DacCommand = {
  register(program: Command, setExit: (code: number) => void) {
    program
      .command('test')
      .description(
        'Run detection tests offline: replay the attack_data fixtures (test/attack_data/…) through each detection',
      )
      .argument('[detections...]', 'detection files or folders (default: every detection with tests)')
      .option('--content <dir>', 'content root', process.cwd())
      .option('--junit <file>', 'also write JUnit XML to this file')
      .option('--no-typecheck', 'skip type-checking the generated matchers')
      .option('--verbose', 'print the replay summary and rows of passing tests too')
      .action(async (paths: string[], opts: TestOpts) => {
        const root = resolve(opts.content);
        if (!existsSync(root) || !statSync(root).isDirectory()) {
          process.stderr.write(`dac test: content root ${root} is not a directory\n`);
          return setExit(EXIT_USAGE);
        }
        const tree = loadContent(root);
        let files: string[] | undefined;
        if (paths.length) {
          files = [];
          for (const p of paths) {
            const abs = resolve(p);
            const rel = relative(root, abs).split(sep).join('/');
            const hits = tree.detections.filter(
              (d) => d.file.relPath === rel || rel === '' || d.file.relPath.startsWith(`${rel}/`),
            );
            if (!existsSync(abs) || hits.length === 0) {
              process.stderr.write(`dac test: no detection at ${p}\n`);
              return setExit(EXIT_USAGE);
            }
            files.push(...hits.map((h) => h.file.relPath));
          }
        }
        const tty = process.stderr.isTTY === true;
        const results = await runTests(tree, {
          files,
          cacheDir: defaultCacheDir(root),
          typecheck: opts.typecheck,
          onResult: (r, i, total) => {
            if (tty) process.stderr.write(`\r\x1b[K[${i}/${total}] ${MARK[r.status]} ${r.detection} :: ${r.test}`);
          },
        });
        if (tty) process.stderr.write('\r\x1b[K');
        if (results.length === 0) process.stdout.write('no detection tests to run\n');
        else process.stdout.write(formatTestTable(results, opts.verbose));
        if (opts.junit) writeFileSync(resolve(opts.junit), toJUnit(results));
        setExit(results.some((r) => r.status === 'failed' || r.status === 'error') ? EXIT_FAILED : EXIT_OK);
      });
  },
};
