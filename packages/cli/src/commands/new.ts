import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Option, type Command } from 'commander';
import { CONTENT_FOLDERS, loadContent, snakeCase, type ContentTree } from '@dac/content';
import { describeFailure, EXIT_OK, EXIT_USAGE, type DacCommand } from '../program.js';
import { displayPath } from '../output.js';
import {
  dataSourceYaml,
  defaultTestData,
  detectionYaml,
  filterMacroYaml,
  macroYaml,
  schemaModeline,
  storyYaml,
  type DetectionSpec,
  type NewKind,
} from '../scaffold.js';

interface NewOpts {
  content: string;
  name?: string;
  type?: DetectionSpec['type'];
  technique?: string[];
  story?: string;
  dataSource?: string;
  author?: string;
  description?: string;
  folder?: string;
  process?: string;
  testData?: string;
  definition?: string;
  argument?: string[];
  source?: string;
  sourcetype?: string;
}

const KINDS: Record<string, NewKind> = {
  detection: 'detection',
  story: 'story',
  macro: 'macro',
  'data-source': 'data_source',
  data_source: 'data_source',
};

const TECHNIQUE = /^T\d{4}(\.\d{3})?$/;
const DETECTION_FOLDERS = ['application', 'cloud', 'endpoint', 'network', 'web'];

class UsageProblem extends Error {}

/**
 * `dac new detection|story|macro|data-source`: writes one valid content file with a fresh id,
 * today's date, version 1, the `$schema` comment for its folder and (for detections) the filter
 * macro and a test stanza. Asks for what is missing on a terminal; takes flags otherwise.
 */
export const newCommand: DacCommand = {
  register(program: Command, setExit: (code: number) => void) {
    program
      .command('new')
      .description('Create a content file: detection (with its filter macro and a test), story, macro or data-source')
      .argument('<kind>', 'detection, story, macro or data-source')
      .option('--content <dir>', 'content root', process.cwd())
      .option('--name <name>', 'the name (file name: its snake_case form)')
      .addOption(new Option('--type <type>', 'detection type').choices(['TTP', 'Anomaly', 'Hunting', 'Correlation']))
      .option('--technique <id...>', 'MITRE ATT&CK technique ids (T1059, T1059.001)')
      .option('--story <name>', 'analytic story of the detection (created when it does not exist)')
      .option('--data-source <name>', 'data source of the detection (default: Sysmon EventID 1)')
      .option('--author <name>', 'author (default: $DAC_AUTHOR, else git user.name)')
      .option('--description <text>', 'description')
      .option('--folder <name>', `detections/ subfolder (${DETECTION_FOLDERS.join(', ')}; default endpoint)`)
      .option('--process <name>', 'process name the starter search looks for (default: <name>.exe)')
      .option(
        '--test-data <url>',
        'attack_data URL of the test (default: one under attack_techniques/<technique>/<name>/)',
      )
      .option('--definition <spl>', 'macro definition (default: search *)')
      .option('--argument <name...>', 'macro arguments')
      .option('--source <source>', 'data source: its source')
      .option('--sourcetype <sourcetype>', 'data source: its sourcetype')
      .action(async (kindArg: string, opts: NewOpts) => {
        try {
          setExit(await runNew(kindArg, opts));
        } catch (e) {
          if (e instanceof UsageProblem) {
            process.stderr.write(`dac new: ${e.message}\n`);
            setExit(EXIT_USAGE);
          } else {
            process.stderr.write(describeFailure('new', e));
            setExit(EXIT_USAGE);
          }
        }
      });
  },
};

type Ask = (question: string, fallback?: string) => Promise<string>;

async function runNew(kindArg: string, opts: NewOpts): Promise<number> {
  const kind = KINDS[kindArg];
  if (!kind)
    throw new UsageProblem(`unknown kind ${JSON.stringify(kindArg)}; choose detection, story, macro or data-source`);
  const root = resolve(opts.content);
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new UsageProblem(`content root ${opts.content} is not a directory`);
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const rl = interactive ? createInterface({ input: process.stdin, output: process.stdout }) : undefined;
  try {
    const ask: Ask = async (question, fallback) => {
      if (!rl) {
        if (fallback !== undefined) return fallback;
        throw new UsageProblem(`--${question} is required when not on a terminal`);
      }
      const a = (await rl.question(`${question}${fallback ? ` (${fallback})` : ''}: `)).trim();
      if (!a && fallback === undefined) return ask(question, fallback);
      return a || fallback!;
    };
    const tree = loadContent(root);
    const written = await create(kind, opts, ask, tree);
    for (const f of written) process.stdout.write(`created ${displayPath(f)}\n`);
    if (kind === 'detection') {
      process.stdout.write(
        'next: put the test data where `dac test` finds it (test/attack_data/<path after /master/ of the URL>, or a local attack_data clone with --attack-data), then run `dac validate` and `dac test`\n',
      );
    }
    return EXIT_OK;
  } finally {
    rl?.close();
  }
}

function authorDefault(): string {
  return process.env.DAC_AUTHOR || 'dac content author';
}

/** Writes a file that must not exist yet. */
function writeNew(path: string, text: string): void {
  if (existsSync(path)) throw new UsageProblem(`${displayPath(path)} already exists; choose another name`);
  mkdirSync(resolve(path, '..'), { recursive: true });
  writeFileSync(path, text, { flag: 'wx' });
}

function names(tree: ContentTree, kind: 'stories' | 'dataSources' | 'macros'): string[] {
  return tree[kind].flatMap((i) => (typeof i.model?.name.value === 'string' ? [i.model.name.value] : []));
}

async function create(kind: NewKind, opts: NewOpts, ask: Ask, tree: ContentTree): Promise<string[]> {
  const root = tree.root;
  const name = (opts.name ?? (await ask('name'))).trim();
  if (!name || /[\r\n]/.test(name)) throw new UsageProblem('the name must be one non-empty line');
  const author = opts.author ?? (await ask('author', authorDefault()));
  const file = (folder: string, n: string) => join(root, folder, `${snakeCase(n)}.yml`);

  if (kind === 'macro') {
    const path = file(CONTENT_FOLDERS.macro, name);
    const definition = opts.definition ?? (await ask('definition', 'search *'));
    const description = opts.description ?? (await ask('description', `The ${name} macro.`));
    writeNew(
      path,
      macroYaml({ name, definition, description, arguments: opts.argument ?? [] }, schemaModeline(root, path, 'macro')),
    );
    return [path];
  }
  if (kind === 'story') {
    const path = file(CONTENT_FOLDERS.story, name);
    const description = opts.description ?? (await ask('description', `Detections of ${name}.`));
    writeStory(path, root, name, author, description);
    return [path];
  }
  if (kind === 'data_source') {
    const path = file(CONTENT_FOLDERS.data_source, name);
    const source = opts.source ?? (await ask('source'));
    const sourcetype = opts.sourcetype ?? (await ask('sourcetype'));
    const description = opts.description ?? (await ask('description', `Data source object for ${name}`));
    writeNew(
      path,
      dataSourceYaml({ name, author, description, source, sourcetype }, schemaModeline(root, path, 'data_source')),
    );
    return [path];
  }

  // A detection: the file, its filter macro, and (when missing) its story.
  const folder = opts.folder ?? (await ask('folder under detections/', 'endpoint'));
  if (!/^[a-z0-9_-]+$/.test(folder))
    throw new UsageProblem(`--folder must be one folder name (e.g. ${DETECTION_FOLDERS.join(', ')})`);
  const type =
    opts.type ?? ((await ask('type (TTP, Anomaly, Hunting, Correlation)', 'Anomaly')) as DetectionSpec['type']);
  if (!['TTP', 'Anomaly', 'Hunting', 'Correlation'].includes(type))
    throw new UsageProblem(`type must be TTP, Anomaly, Hunting or Correlation, not ${type}`);
  const techniques =
    opts.technique ?? (await ask('ATT&CK techniques (space-separated)', '')).split(/[\s,]+/).filter(Boolean);
  for (const t of techniques)
    if (!TECHNIQUE.test(t)) throw new UsageProblem(`${t} is not an ATT&CK technique id (T1059 or T1059.001)`);
  const stories = names(tree, 'stories');
  const story = opts.story ?? (await ask('analytic story', stories[0] ?? name));
  const sources = names(tree, 'dataSources');
  const dataSource =
    opts.dataSource ??
    (await ask(
      'data source',
      sources.includes('Sysmon EventID 1') ? 'Sysmon EventID 1' : (sources[0] ?? 'Sysmon EventID 1'),
    ));
  if (sources.length && !sources.includes(dataSource))
    process.stderr.write(
      `dac new: warning: no data source named ${JSON.stringify(dataSource)} in data_sources/ (there are: ${sources.join(', ')}); create it with \`dac new data-source\`\n`,
    );
  const description = opts.description ?? (await ask('description', `Detects ${name}.`));
  const process_ = opts.process ?? (await ask('process name to look for', `${snakeCase(name)}.exe`));
  if (!/^[A-Za-z0-9_.*-]+$/.test(process_))
    throw new UsageProblem(`--process must be a file name (letters, digits, _ . - *), not ${JSON.stringify(process_)}`);
  const testData = opts.testData ?? defaultTestData(name, techniques[0]?.split('.')[0]);
  const path = join(root, CONTENT_FOLDERS.detection, folder, `${snakeCase(name)}.yml`);
  const macroPath = join(root, CONTENT_FOLDERS.macro, `${snakeCase(name)}_filter.yml`);
  if (existsSync(path)) throw new UsageProblem(`${displayPath(path)} already exists; choose another name`);
  if (existsSync(macroPath)) throw new UsageProblem(`${displayPath(macroPath)} already exists; choose another name`);
  const out: string[] = [];
  if (!stories.includes(story)) {
    const storyPath = file(CONTENT_FOLDERS.story, story);
    writeStory(storyPath, root, story, author, `Detections of ${story}.`);
    out.push(storyPath);
  }
  writeNew(
    path,
    detectionYaml(
      {
        name,
        type,
        techniques,
        story,
        dataSource,
        author,
        description,
        process: process_,
        testData,
        source: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational',
        sourcetype: 'XmlWinEventLog',
      },
      schemaModeline(root, path, 'detection'),
    ),
  );
  out.push(path);
  writeNew(macroPath, filterMacroYaml(name, schemaModeline(root, macroPath, 'macro')));
  out.push(macroPath);
  return out;
}

function writeStory(path: string, root: string, name: string, author: string, description: string): void {
  writeNew(
    path,
    storyYaml(
      {
        name,
        author,
        description,
        narrative: `${description} Add what an analyst should know about this activity here.`,
      },
      schemaModeline(root, path, 'story'),
    ),
  );
}
