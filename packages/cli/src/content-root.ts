import { type Command, CommanderError } from 'commander';
import { CONFIG_FILE, CONTENTCTL_FILE, findContentRoot } from '@dac/content';
import { EXIT_USAGE } from './program.js';

/** Commands that make a content root rather than work in one (their `--content` is not looked up). */
const CREATE_CONTENT_ROOT = new Set(['init']);

/**
 * Before a command runs: when it has a `--content` option the user did not give, sets it to the
 * content root of the working folder — the nearest folder upwards with a dac.config.yaml or an ESCU
 * contentctl.yml, as git finds `.git` (@dac/content findContentRoot). With none, the command does
 * not run: one line saying so, exit 2. An explicit `--content DIR` wins.
 */
export function resolveContentRoot(action: Command, cwd: string = process.cwd()): void {
  if (CREATE_CONTENT_ROOT.has(action.name())) return;
  if (!action.options.some((o) => o.long === '--content')) return;
  if (action.getOptionValueSource('content') !== 'default') return;
  const root = findContentRoot(cwd);
  if (root === undefined) {
    const message = `dac ${action.name()}: no content root: neither ${CONFIG_FILE} nor ${CONTENTCTL_FILE} in ${cwd} or a folder above it; run dac inside a content repository, or give --content DIR`;
    process.stderr.write(`${message}\n`);
    throw new CommanderError(EXIT_USAGE, 'dac.noContentRoot', message);
  }
  action.setOptionValueWithSource('content', root, 'default');
}
