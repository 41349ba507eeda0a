import { existsSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { Option, type Command } from 'commander';
import { loadContent } from '@dac/content';
import { planDetections, topReasons } from '@dac/replay';
import { EXIT_OK, EXIT_USAGE, type DacCommand } from '../program.js';

/**
 * `dac plan [--content DIR] [--format text|json] [DETECTION…]`: which detections `dac` can run
 * offline, and for the others the first unsupported command or feature. Exit 0 (a report, not a
 * gate); 2 on usage errors.
 */
export const planCommand: DacCommand = {
  register(program: Command, setExit: (code: number) => void) {
    program
      .command('plan')
      .description('Say for every detection whether dac can replay it offline, and if not, why')
      .argument('[detections...]', 'detection files or folders (default: every detection)')
      .option('--content <dir>', 'content root', process.cwd())
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
      .action((paths: string[], opts: { content: string; format: 'text' | 'json' }) => {
        const root = resolve(opts.content);
        if (!existsSync(root) || !statSync(root).isDirectory()) {
          process.stderr.write(`dac plan: content root ${root} is not a directory\n`);
          return setExit(EXIT_USAGE);
        }
        const tree = loadContent(root);
        let files: Set<string> | undefined;
        if (paths.length) {
          files = new Set();
          for (const p of paths) {
            const rel = relative(root, resolve(p)).split(sep).join('/');
            const hits = tree.detections.filter(
              (d) => d.file.relPath === rel || rel === '' || d.file.relPath.startsWith(`${rel}/`),
            );
            if (hits.length === 0) {
              process.stderr.write(`dac plan: no detection at ${p}\n`);
              return setExit(EXIT_USAGE);
            }
            for (const h of hits) files.add(h.file.relPath);
          }
        }
        const report = planDetections(tree, files);
        if (opts.format === 'json') {
          const detections = report.detections.map((d) => ({
            file: d.file,
            name: d.name,
            replayable: d.replayable,
            reason: d.reason ?? null,
          }));
          process.stdout.write(`${JSON.stringify({ detections, summary: report.summary }, null, 2)}\n`);
        } else {
          const { detections, replayable } = report.summary;
          const pct = detections ? ((replayable / detections) * 100).toFixed(1) : '0.0';
          const lines = [`${replayable} of ${detections} detections replayable offline (${pct}%)`];
          const top = topReasons(report, 15);
          if (top.length) {
            lines.push('', 'top reasons (detections):');
            for (const r of top) lines.push(`  ${String(r.count).padStart(5)}  ${r.reason}`);
          }
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        setExit(EXIT_OK);
      });
  },
};
