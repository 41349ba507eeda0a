import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  addItem,
  emptyContentTree,
  parseYamlText,
  type AppConfig,
  itemOf,
  type ContentKind,
  type ContentTree,
} from '@dac/content';
import { confToMap, parseConf } from '@dac/conf';
import { expect } from 'vitest';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(HERE, '..', '..');
export const FIXTURE = join(HERE, 'fixture');
export const GOLDEN = join(HERE, 'golden');
export const CORPUS = join(REPO_ROOT, '..', 'shared', 'corpus', 'escu');

/** Compares with a golden file; `UPDATE_GOLDEN=1 npx vitest run test/build` rewrites it. */
export function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) {
    if (process.env.CI && !existsSync(path)) throw new Error(`golden file ${name} is missing`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

/** The text of one stanza (header to the line before the next blank line) of a .conf file. */
export function stanzaText(conf: string, name: string): string {
  const start = conf.indexOf(`\n[${name}]\n`);
  if (start < 0) throw new Error(`no stanza [${name}]`);
  const end = conf.indexOf('\n\n', start + 1);
  return conf.slice(start + 1, end + 1);
}

export function confMap(text: string): Map<string, Map<string, string>> {
  const parsed = parseConf(text);
  expect(parsed.problems).toEqual([]);
  return confToMap(parsed);
}

/**
 * An in-memory content tree: each item is JSON text (valid YAML) parsed with positions, so
 * diagnostics work without files on disk.
 */
export function memoryTree(
  app: Partial<AppConfig>,
  items: { kind: ContentKind; relPath: string; data: unknown }[],
): ContentTree {
  const config: ContentTree['config'] = {
    app: {
      appid: 'DAC-Mem',
      title: 'mem',
      label: 'MEM',
      prefix: 'MEM',
      version: '1.0.0',
      description: 'in-memory',
      ...app,
    },
    rules: {},
    source: 'default',
  };
  const tree = emptyContentTree('/nonexistent-content-root', config, [], []);
  for (const it of items) {
    const file = parseYamlText(JSON.stringify(it.data, null, 1), `/nonexistent-content-root/${it.relPath}`, it.relPath);
    addItem(tree, itemOf(it.kind, file));
  }
  return tree;
}
