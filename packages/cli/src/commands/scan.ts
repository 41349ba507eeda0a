import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import {
  findLogs,
  LogArgumentError,
  loadScanContentIn,
  prepareScan,
  prepareScanIn,
  runScan,
  scanContentOf,
  scanJobs,
  scanJson,
  scanText,
  startScanWorkers,
  writeReport,
} from '@dac/scan';
import { loadContent } from '@dac/content';
import { loadAttack } from '@dac/validate';
import { detectionMatchers } from '../matchers.js';
import { addJobsOption, jobsOf } from '../jobs.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type DacCommand } from '../program.js';

interface ScanOpts {
  content: string;
  format: 'text' | 'json';
  report?: string;
  expectAll?: boolean;
  jobs?: number;
  workers?: number;
  matchers?: boolean;
  cache?: boolean;
}

/**
 * `dac scan [--content DIR] [--format text|json] [--report DIR] [--expect-all] [-j N] LOG…`:
 * every replayable detection of the content over the logs (files, or folders searched for
 * .evtx .log .json .jsonl .gz .zip). Exit 0 whether or not anything fired; 1 with --expect-all
 * when some log has no detection firing; 2 on usage errors.
 */
export const scanCommand: DacCommand = {
  register(program: Command, setExit: (code: number) => void) {
    const cmd = program
      .command('scan')
      .description('Run every replayable detection of the content over log files and folders in one pass')
      .argument('<logs...>', 'log files or folders (searched for .evtx .log .json .jsonl .gz .zip)')
      .option('--content <dir>', 'content root', process.cwd())
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
      .option('--report <dir>', 'write index.html (ATT&CK heatmap, tables) and layer.json (ATT&CK Navigator) into DIR')
      .option('--expect-all', 'exit 1 when some log has no detection firing')
      // Off by default: on the corpus the matchers measured no faster than the interpreter with a
      // warm cache (15.3 vs 15.0 s CPU for the whole command) and cost ~15 s CPU cold (docs/matchers.md).
      .option('--matchers', 'evaluate first commands with the generated matchers (compiled into the user cache)')
      .option('--no-matchers', "evaluate first commands with the search engine's interpreter (the default)")
      // The values of the content's YAML files are kept in the user cache, keyed by their bytes
      // (sealed, never code): a later scan parses only the files that changed (docs/scan.md).
      .option('--no-cache', "parse every content file (do not use or update the user cache's YAML values)");
    addJobsOption(
      cmd,
      'threads to scan with (default: one per two idle cores when the logs hold 16 MiB or more, else 1)',
    );
    cmd.action(async (logArgs: string[], opts: ScanOpts) => {
      const fail = (msg: string) => {
        process.stderr.write(`dac scan: ${msg}\n`);
        setExit(EXIT_USAGE);
      };
      const root = resolve(opts.content);
      if (!existsSync(root) || !statSync(root).isDirectory())
        return fail(`content root ${opts.content} is not a directory`);
      if (opts.report !== undefined && existsSync(opts.report) && !statSync(opts.report).isDirectory())
        return fail(`report folder ${opts.report} is a file`);
      let logs: ReturnType<typeof findLogs>;
      try {
        logs = findLogs(logArgs);
      } catch (e) {
        if (e instanceof LogArgumentError) return fail(e.message);
        throw e;
      }
      if (logs.length === 0) return fail(`no log files (.evtx .log .json .jsonl .gz .zip) under ${logArgs.join(', ')}`);
      const tty = process.stderr.isTTY === true;
      if (tty) process.stderr.write('dac scan: preparing detections…\r');
      // The workers load their code while this thread reads and prepares the content; runScan
      // sends them the prepared detections (as plain values: each builds a plan on first use).
      const workers = startScanWorkers(root, logs, scanJobs(logs, jobsOf(opts)));
      // Generated matchers in this thread (worker threads, -j > 1, keep the interpreter: same results).
      // They need the whole tree; without them the scan reads only the documents it prepares from.
      const tree = opts.matchers === true ? loadContent(root) : undefined;
      // Without them the workers read part of the YAML for this thread.
      const content = tree ? scanContentOf(tree) : await loadScanContentIn(root, workers, { cache: opts.cache });
      const matchers = tree ? await detectionMatchers(tree) : undefined;
      // With the matchers this thread prepares alone; else the workers prepare a share each.
      const prepared = matchers
        ? prepareScan(root, { content, compiledPredicateFor: matchers.compiledPredicateFor })
        : await prepareScanIn(root, content, workers);
      const result = await runScan(prepared, logs, {
        // Without workers (one thread asked for or found worth it, or no bundled worker): this thread alone.
        ...(workers ? { workers } : { jobs: 1 }),
        onProgress: tty ? (done, total) => process.stderr.write(`\x1b[2Kdac scan: ${done}/${total} logs\r`) : undefined,
      });
      if (tty) process.stderr.write('\x1b[2K');
      process.stdout.write(
        opts.format === 'json' ? `${JSON.stringify(scanJson(result), null, 2)}\n` : scanText(result),
      );
      if (opts.report !== undefined) {
        const w = writeReport(resolve(opts.report), result, loadAttack());
        process.stderr.write(`dac scan: report ${w.html}, layer ${w.layer}\n`);
      }
      const silent = result.logs.filter((l) => l.fired.length === 0);
      if (opts.expectAll && silent.length > 0) {
        process.stderr.write(
          `dac scan: --expect-all: ${silent.length} log(s) with no detection firing: ${silent
            .slice(0, 10)
            .map((l) => l.log)
            .join(', ')}${silent.length > 10 ? ', …' : ''}\n`,
        );
        setExit(EXIT_FAILED);
        return;
      }
      setExit(EXIT_OK);
    });
  },
};
