import { existsSync, statSync } from 'node:fs';
import { ensureDir, writeFileAtomic } from '@dac/fs';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, loadContent } from '@dac/content';
import { defaultDownloadDir, runTests, toJUnit, type TestCaseResult } from '@dac/replay';
import { escapeTerminal } from '@dac/escape';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type DacCommand } from '../program.js';
import { selectDetections } from '../select.js';

interface TestOpts {
  content: string;
  junit?: string;
  typecheck: boolean;
  verbose?: boolean;
  attackData?: string;
  download?: boolean;
  downloadDir?: string;
  downloadFrom?: string;
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
    escapeTerminal(r.detection),
    escapeTerminal(r.test),
    r.expectedRows === undefined ? String(r.rows.length) : `${r.rows.length}/${r.expectedRows}`,
    `${(r.seconds * 1000).toFixed(0)} ms`,
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(w[i]!))).join('  ');
  const lines = [fmt(head)];
  results.forEach((r, i) => {
    lines.push(fmt(body[i]!));
    if (r.status !== 'passed' || verbose) {
      // Messages and details quote user text (names, field values): printed escaped, one line each.
      if (r.message) lines.push(`      ${escapeTerminal(r.message)}`);
      for (const d of r.details.slice(0, verbose ? 50 : 8)) lines.push(`      ${escapeTerminal(d)}`);
    }
  });
  const n = (s: TestCaseResult['status']) => results.filter((r) => r.status === s).length;
  lines.push('', `${results.length} test(s): ${n('passed')} passed, ${n('failed')} failed, ${n('error')} errors`);
  return `${lines.join('\n')}\n`;
}

/**
 * `dac test [--content DIR] [--junit FILE] [--attack-data DIR] [--download] [DETECTION ...]`: runs
 * detections' `tests:` against their attack_data files — from a splunk/attack_data clone, the
 * content's test/attack_data/, the download cache, or (with --download) fetched once into it.
 * Exit 0 when every test passes, 1 otherwise, 2 on usage.
 */
export const testCommand: DacCommand = {
  register(program: Command, setExit: (code: number) => void) {
    program
      .command('test')
      .description(
        'Run detection tests: replay the attack_data files (a local attack_data clone, test/attack_data/…, or with --download the cache) through each detection',
      )
      .argument('[detections...]', 'detections by file, folder, name or id (default: every detection with tests)')
      .option('--content <dir>', 'content root', process.cwd())
      .option('--junit <file>', 'also write JUnit XML to this file')
      .option('--no-typecheck', 'accepted for compatibility (the search engine generates no matcher to type-check)')
      .option('--verbose', 'print the replay summary and rows of passing tests too')
      .option(
        '--attack-data <dir>',
        'a local splunk/attack_data clone to read attack_data URLs from (config: test.attack_data)',
      )
      .option(
        '--download',
        'fetch attack_data files found nowhere else into the download cache (once; SHA-256 recorded)',
      )
      .option('--download-dir <dir>', `download cache (default: ${defaultDownloadDir().replace(homedir(), '~')})`)
      .option(
        '--download-from <url>',
        'base URL of an attack_data mirror to download from (config: test.download_from)',
      )
      .action(async (paths: string[], opts: TestOpts) => {
        const root = resolve(opts.content);
        if (!existsSync(root) || !statSync(root).isDirectory()) {
          process.stderr.write(`dac test: content root ${root} is not a directory\n`);
          return setExit(EXIT_USAGE);
        }
        const configured = loadConfig(root).config.test ?? {};
        const attackData = opts.attackData ? resolve(opts.attackData) : configured.attackData;
        if (attackData && (!existsSync(attackData) || !statSync(attackData).isDirectory())) {
          const from = opts.attackData ? '--attack-data' : 'test.attack_data in the config';
          process.stderr.write(
            `dac test: ${from}: ${attackData} is not a directory (expected a splunk/attack_data clone)\n`,
          );
          return setExit(EXIT_USAGE);
        }
        const downloadFrom = opts.downloadFrom ?? configured.downloadFrom;
        if (downloadFrom && !/^https?:\/\//.test(downloadFrom)) {
          process.stderr.write(
            `dac test: --download-from must be an http(s) URL, got ${JSON.stringify(downloadFrom)}\n`,
          );
          return setExit(EXIT_USAGE);
        }
        const tree = loadContent(root);
        let files: string[] | undefined;
        if (paths.length) {
          // A detection is named by file, folder, name or id, as in every command.
          const picked = selectDetections(tree.detections, root, paths);
          if ('error' in picked) {
            process.stderr.write(`dac test: ${picked.error}\n`);
            return setExit(EXIT_USAGE);
          }
          files = picked.files;
        }
        const tty = process.stderr.isTTY === true;
        const say = (line: string) =>
          process.stderr.write(`${tty ? '\r\x1b[K' : ''}dac test: ${escapeTerminal(line)}\n`);
        const results = await runTests(tree, {
          files,
          fixtures: {
            attackDataDir: attackData,
            download: opts.download === true,
            downloadDir: opts.downloadDir ? resolve(opts.downloadDir) : undefined,
            downloadFrom,
            onDownload: (d) =>
              say(`downloaded ${d.url} (${d.bytes} bytes, sha256 ${d.sha256.slice(0, 12)}…) to ${d.path}`),
            onNote: say,
          },
          onResult: (r, i, total) => {
            if (tty)
              process.stderr.write(
                `\r\x1b[K[${i}/${total}] ${MARK[r.status]} ${escapeTerminal(r.detection)} :: ${escapeTerminal(r.test)}`,
              );
          },
        });
        if (tty) process.stderr.write('\r\x1b[K');
        if (results.length === 0) process.stdout.write('no detection tests to run\n');
        else process.stdout.write(formatTestTable(results, opts.verbose));
        if (opts.junit) {
          // The report's folder is created when missing (`--junit test-results/junit.xml`), and the
          // file is replaced atomically (@dac/fs).
          const junit = resolve(opts.junit);
          ensureDir(dirname(junit));
          writeFileAtomic(junit, toJUnit(results));
        }
        setExit(results.some((r) => r.status === 'failed' || r.status === 'error') ? EXIT_FAILED : EXIT_OK);
      });
  },
};
