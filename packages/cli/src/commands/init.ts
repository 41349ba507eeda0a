import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { assetPath } from '@dac/assets';
import { CONFIG_FILE, CONTENT_FOLDERS, CONTENTCTL_FILE } from '@dac/content';
import cliPackage from '../../package.json';
import { describeFailure, EXIT_OK, EXIT_USAGE, type DacCommand } from '../program.js';
import { displayPath } from '../output.js';
import { schemaModeline, yamlScalar } from '../scaffold.js';

interface InitOpts {
  name?: string;
  appId?: string;
  label?: string;
  author?: string;
}

const SCHEMAS = ['detection', 'story', 'macro', 'data_source', 'lookup', 'config'] as const;

/**
 * `dac init [DIR]`: a new content repository — dac.config.yaml, package.json with @dac/cli and
 * changesets as dev dependencies (its version is the app's version), .changeset/, the CI
 * workflow, .gitignore, editor schema mapping (schemas/ + .vscode/settings.json), the content
 * folders, and the starter data sources and ESCU helper macros (templates/init/). Never overwrites.
 */
export const initCommand: DacCommand = {
  register(program: Command, setExit: (code: number) => void) {
    program
      .command('init')
      .description(
        'Create a new content repository: config, package.json, changesets, CI workflow, editor schemas, folders',
      )
      .argument('[dir]', 'folder to create it in (default: the current folder)', '.')
      .option('--name <title>', 'app title (default: the folder name)')
      .option('--app-id <id>', 'Splunk app id (default: derived from the folder name)')
      .option(
        '--label <label>',
        'saved-search stanza label, as ESCU in "ESCU - <name> - Rule" (default: from the name)',
      )
      .option('--author <name>', 'author_name of the app')
      .action((dir: string, opts: InitOpts) => {
        try {
          setExit(runInit(dir, opts));
        } catch (e) {
          process.stderr.write(describeFailure('init', e));
          setExit(EXIT_USAGE);
        }
      });
  },
};

function runInit(dirArg: string, opts: InitOpts): number {
  const dir = resolve(dirArg);
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    process.stderr.write(`dac init: ${dirArg} exists and is not a folder\n`);
    return EXIT_USAGE;
  }
  for (const f of [CONFIG_FILE, CONTENTCTL_FILE]) {
    if (existsSync(join(dir, f))) {
      process.stderr.write(`dac init: ${displayPath(join(dir, f))} exists: this is already a content repository\n`);
      return EXIT_USAGE;
    }
  }
  const folder = basename(dir);
  const title =
    opts.name ??
    (folder
      .replace(/[-_]+/g, ' ')
      .replace(/\b\w/g, (c) => c.toUpperCase())
      .trim() ||
      'Detections');
  const words = title
    .replace(/[^A-Za-z0-9 ]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  const appId = opts.appId ?? `DA-ESS-${words.join('') || 'Detections'}`.slice(0, 64);
  const label = opts.label ?? (words.map((w) => w[0]!.toUpperCase()).join('') || 'DAC').slice(0, 8);
  const author = opts.author ?? 'Content authors';
  const npmName =
    folder
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[._-]+/, '') || 'detections';

  const created: string[] = [];
  const skipped: string[] = [];
  const write = (rel: string, text: string | (() => string)) => {
    const path = join(dir, rel);
    if (existsSync(path)) {
      skipped.push(rel);
      return;
    }
    mkdirSync(resolve(path, '..'), { recursive: true });
    writeFileSync(path, typeof text === 'string' ? text : text(), { flag: 'wx' });
    created.push(rel);
  };
  const copy = (rel: string, from: string) => {
    const path = join(dir, rel);
    if (existsSync(path)) {
      skipped.push(rel);
      return;
    }
    mkdirSync(resolve(path, '..'), { recursive: true });
    copyFileSync(from, path);
    created.push(rel);
  };
  mkdirSync(dir, { recursive: true });

  // Editor schemas first: the files below get `$schema` comments that point at them.
  const schemas = assetPath('schemas');
  for (const k of SCHEMAS) copy(`schemas/${k}.schema.json`, join(schemas, `${k}.schema.json`));

  write(
    CONFIG_FILE,
    () =>
      `${schemaModeline(dir, join(dir, CONFIG_FILE), 'config')}# Content-root configuration for dac (see docs/authoring.md of dac).
app:
  appid: ${yamlScalar(appId)}
  title: ${yamlScalar(title)}
  label: ${yamlScalar(label)}
  prefix: ${yamlScalar(label)}
  description: ${yamlScalar(`${title}: detections built with dac.`)}
  author_name: ${yamlScalar(author)}
  author_company: ${yamlScalar(author)}
  # The app version is this repository's package.json version, which changesets bumps.
  version_from: package.json
# Per-rule severity overrides (error | warning | off), keyed by rule id.
rules: {}
`,
  );
  write(
    'package.json',
    `${JSON.stringify(
      {
        name: npmName,
        version: '0.1.0',
        private: true,
        description: `${title}: Splunk detections as code`,
        scripts: {
          validate: 'dac validate',
          test: 'dac test',
          build: 'dac build',
          ci: 'dac ci --base origin/main',
          changeset: 'changeset',
        },
        devDependencies: { '@changesets/cli': '^2.29.0', '@dac/cli': `^${cliPackage.version}` },
        engines: { node: '>=20.19.0' },
      },
      null,
      2,
    )}\n`,
  );
  write(
    '.changeset/config.json',
    `${JSON.stringify(
      {
        $schema: 'https://unpkg.com/@changesets/config@3.1.4/schema.json',
        changelog: '@changesets/cli/changelog',
        commit: false,
        fixed: [],
        linked: [],
        access: 'restricted',
        baseBranch: 'main',
        updateInternalDependencies: 'patch',
        ignore: [],
        privatePackages: { version: true, tag: false },
      },
      null,
      2,
    )}\n`,
  );
  write(
    '.changeset/README.md',
    `# Changesets\n\nEvery change to the content adds one: run \`npx changeset\`, choose ${npmName} and the bump \`dac version-check\` suggests (new content: minor; changed: patch; removed: major). \`npx changeset version\` bumps package.json, whose version \`dac build\` writes into app.conf.\n`,
  );
  write('.gitignore', 'node_modules/\n# dac build output and compiled matchers\ndist/\n.dac-cache/\ntest-results/\n');
  const templates = join(assetPath('templates'), 'init');
  copy('.github/workflows/validate.yml', join(templates, 'validate.yml'));
  write(
    '.vscode/settings.json',
    `${JSON.stringify(
      {
        'yaml.schemas': {
          './schemas/detection.schema.json': ['detections/**/*.yml'],
          './schemas/story.schema.json': ['stories/**/*.yml'],
          './schemas/macro.schema.json': ['macros/**/*.yml'],
          './schemas/data_source.schema.json': ['data_sources/**/*.yml'],
          './schemas/lookup.schema.json': ['lookups/**/*.yml'],
          './schemas/config.schema.json': [CONFIG_FILE],
        },
      },
      null,
      2,
    )}\n`,
  );
  for (const sub of ['data_sources', 'macros'] as const) {
    for (const f of readdirSync(join(templates, sub)).sort())
      if (f.endsWith('.yml')) copy(`${sub}/${f}`, join(templates, sub, f));
  }
  // (Not lookups/: every file there must be a lookup a YAML names.)
  for (const folder of Object.values(CONTENT_FOLDERS)) {
    if (folder === CONTENT_FOLDERS.lookup) continue;
    const has = existsSync(join(dir, folder)) && readdirSync(join(dir, folder)).length > 0;
    if (!has) write(`${folder}/.gitkeep`, '');
  }
  write(
    'test/attack_data/README.md',
    "# Test data\n\n`dac test` reads a test's `attack_data` URL `…/attack_data/master/<path>` from `test/attack_data/<path>` here (or from a local splunk/attack_data clone: `dac test --attack-data DIR`, config `test.attack_data`).\n",
  );

  for (const f of created) process.stdout.write(`created ${displayPath(join(dir, f))}\n`);
  for (const f of skipped) process.stdout.write(`kept    ${displayPath(join(dir, f))} (exists)\n`);
  process.stdout.write(
    `\nnext: cd ${displayPath(dir)} && npm install && git init && git add -A && git commit -m "new content repository"\n` +
      'then: npx dac new detection   (and npx dac validate, npx dac test, npx changeset, npx dac ci --base main)\n',
  );
  return EXIT_OK;
}
