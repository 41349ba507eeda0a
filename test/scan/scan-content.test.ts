// The scan's own content loader (loadScanContent: only the detection, macro and lookup documents)
// gives what the scan would take from the whole tree (scanContentOf(loadContent(root))) — with the
// user cache's YAML values or without, when it fills the cache and when it reads it — also for
// documents that do not load (YAML errors, not a mapping), and the worker's plain copy (a
// structured clone) prepares the same detections.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { loadContent } from '@dac/content';
import { loadScanContent, prepareScan, scanContentOf } from '@dac/scan';
import { repo, writeContent } from './content.js';

function brokenContent(): string {
  const root = writeContent({
    'bad-yaml.yml': 'name: "unterminated\nsearch: x\n',
    'a-list.yml': '- name: x\n- search: y\n',
    'dup.yml': 'name: Dup\nname: Dup2\nsearch: "| makeresults"\n',
  });
  writeFileSync(join(root, 'macros', 'broken.yml'), 'name: [\n');
  writeFileSync(join(root, 'macros', 'no_definition.yml'), 'name: no_definition\n');
  mkdirSync(join(root, 'lookups'));
  writeFileSync(join(root, 'lookups', 'users.yml'), 'name: users\nfilename: users.csv\n');
  writeFileSync(join(root, 'lookups', 'users.csv'), 'user,role\nalice,admin\n');
  mkdirSync(join(root, 'stories'));
  writeFileSync(join(root, 'stories', 'not-read.yml'), 'name: [\n');
  return root;
}

describe('loadScanContent', () => {
  it.each([
    ['the repository content', repo],
    ['a tree with documents that do not load', brokenContent()],
  ])('gives scanContentOf(loadContent) for %s, without the YAML cache, filling it, and from it', (_, root) => {
    const want = scanContentOf(loadContent(root));
    vi.stubEnv('DAC_CACHE_DIR', mkdtempSync(join(tmpdir(), 'dac-scan-content-cache-')));
    try {
      for (const cache of [false, true, true]) {
        const content = loadScanContent(root, { cache });
        expect(content.detections.length).toBeGreaterThan(0);
        expect(content).toStrictEqual(want);
      }
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('prepares from a structured clone of the content what it prepares from the files', () => {
    const root = writeContent();
    const fromTree = prepareScan(root);
    const fromClone = prepareScan(root, { content: structuredClone(fromTree.content) });
    const shape = (p: typeof fromTree) => ({
      detections: p.detections.map((d) => ({ file: d.file, keys: d.keys, fields: d.fields && [...d.fields] })),
      notScanned: p.notScanned,
    });
    expect(fromTree.detections.length).toBeGreaterThan(1);
    expect(shape(fromClone)).toEqual(shape(fromTree));
  });
});
