import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { itemOf, loadContent, loadYamlFile, toRelPath } from '@dac/content';
import {
  contentContext,
  formatFor,
  issuePosition,
  prepareDetection,
  replayFiles,
  sniffLogFile,
  type ReplayStats,
} from '@dac/replay';
import { escapeTerminal } from '@dac/escape';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type DacCommand } from '../program.js';

interface ReplayOpts {
  detection?: string;
  content: string;
  sourcetype?: string;
  source?: string;
  decodeEntities?: boolean;
  typecheck: boolean;
}

/** The stderr summary of a replay: counts, malformed lines with their numbers, throughput. */
export function formatReplaySummary(stats: ReplayStats, maxIssues = 20): string {
  const lines: string[] = [];
  for (const f of stats.files) {
    if (f.error) lines.push(`${f.path}: ${f.error}`);
    if (f.error && f.lines === 0) continue;
    const what = f.evtx
      ? `${f.container === 'zip' ? 'zip: ' : ''}${f.evtx.records} EVTX records in ${f.evtx.chunks} chunks (${f.evtx.damagedChunks} damaged chunks, ${f.evtx.damagedRecords} damaged records), ${f.events} events`
      : `${f.lines} lines, ${f.events} events${f.gzip ? ' (gzip)' : ''}${f.container === 'zip' ? ' (zip)' : ''}`;
    lines.push(`${f.path}: ${what}, ${f.malformed} malformed, ${f.skipped} skipped`);
    for (const i of f.issues.slice(0, maxIssues)) lines.push(`  ${issuePosition(f.path, i)}: ${i.kind}: ${i.message}`);
    const more = f.malformed + f.skipped - Math.min(f.issues.length, maxIssues);
    if (more > 0) lines.push(`  … ${more} more`);
  }
  lines.push(...stats.notes);
  const mb = stats.bytes / 1e6;
  const s = Math.max(stats.seconds, 1e-9);
  lines.push(
    `events read ${stats.eventsRead}, malformed ${stats.malformed}, skipped ${stats.skipped}` +
      (stats.inDataSet !== undefined ? `, in data set ${stats.inDataSet}` : '') +
      `, rows ${stats.rows}`,
    `${mb.toFixed(2)} MB in ${stats.seconds.toFixed(3)} s: ${(mb / s).toFixed(1)} MB/s, ${Math.round(stats.eventsRead / s)} events/s`,
  );
  // Paths and issue messages quote user text (file names, event content): one escaped line each.
  return `${lines.map(escapeTerminal).join('\n')}\n`;
}

/**
 * `dac replay --detection FILE [--content DIR] [--sourcetype ST] [--source SRC] LOGFILE...` (LOGFILE: text,
 * gzip, EVTX or zip, chosen by content)
 * Rows as JSON lines on stdout, summary on stderr. Exit 0 whatever the row count; 1 when no
 * file could be read; 2 on usage errors (including a detection that cannot be replayed).
 */
export const replayCommand: DacCommand = {
  register(program: Command, setExit: (code: number) => void) {
    program
      .command('replay')
      .description(
        "Replay log files through a detection's search (add-on field extraction, the SPL search engine); rows as JSON lines",
      )
      .argument('<logfiles...>', 'fixture files (gzip accepted, detected by magic bytes)')
      .requiredOption('--detection <file>', 'detection YAML file')
      .option(
        '--sourcetype <st>',
        'Splunk sourcetype of the files (XmlWinEventLog, sysmon:linux, crowdstrike:events:sensor, nxlog:json); default XmlWinEventLog when every file is EVTX (or a zip of EVTX)',
      )
      .option('--source <src>', 'Splunk source (default: per event, e.g. XmlWinEventLog:<Channel>)')
      .option('--content <dir>', 'content root (macros, data sources)', process.cwd())
      .option('--decode-entities', "decode the five XML entities in values (Splunk's add-ons do not)")
      .option('--no-typecheck', 'accepted for compatibility (the search engine generates no matcher to type-check)')
      .action(async (logfiles: string[], opts: ReplayOpts) => {
        const fail = (msg: string, code = EXIT_USAGE) => {
          process.stderr.write(`dac replay: ${escapeTerminal(msg)}\n`);
          setExit(code);
        };
        if (opts.sourcetype === undefined) {
          // EVTX content says what it is (splunk-semantics.md §5: the Windows input's sourcetype).
          const kinds = logfiles.map((p) => {
            try {
              return sniffLogFile(resolve(p));
            } catch {
              return 'missing';
            }
          });
          if (kinds.length === 0 || !kinds.every((k) => k === 'evtx' || k === 'zip'))
            return fail(
              "required option '--sourcetype <st>' not specified (only EVTX files default to XmlWinEventLog)",
            );
          opts.sourcetype = 'XmlWinEventLog';
        }
        const fmt = formatFor(opts.sourcetype, opts.source);
        if ('error' in fmt) return fail(fmt.error);
        const root = resolve(opts.content);
        if (!existsSync(root) || !statSync(root).isDirectory()) return fail(`content root ${root} is not a directory`);
        const detPath = resolve(opts.detection ?? '');
        if (!existsSync(detPath) || !statSync(detPath).isFile())
          return fail(`detection file not found: ${opts.detection}`);
        const tree = loadContent(root);
        const rel = toRelPath(root, detPath);
        let item = tree.detections.find((d) => d.file.relPath === rel);
        if (!item) {
          // A detection named on the command line is the user's choice, not the content's: it is
          // read confined to its own folder when it lies outside the content root.
          const file = loadYamlFile(detPath, rel.startsWith('../') ? dirname(detPath) : root);
          const v = file.value;
          if (file.diagnostics.some((d) => d.severity === 'error') || typeof v !== 'object' || v === null)
            return fail(`cannot read detection ${opts.detection}: ${file.diagnostics[0]?.message ?? 'not a mapping'}`);
          item = itemOf('detection', file);
        }
        if (!item.data) return fail(`cannot read detection ${opts.detection}`);
        const ctx = contentContext(tree);
        const prepared = prepareDetection({ file: rel, data: item.data }, ctx);
        if (!prepared.replayable) return fail(`${rel}: ${prepared.reason}`);
        const { rows, stats } = await replayFiles(
          prepared,
          logfiles.map((p) => ({ path: resolve(p), sourcetype: opts.sourcetype!, source: opts.source })),
          ctx,
          { decodeEntities: opts.decodeEntities, limits: tree.config.limits },
        );
        process.stdout.write(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
        process.stderr.write(formatReplaySummary(stats));
        const readAny = stats.files.some((f) => f.events > 0);
        setExit(readAny ? EXIT_OK : EXIT_FAILED);
      });
  },
};
