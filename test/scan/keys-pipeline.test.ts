// detectionKeys reads the spans of the pipeline the plan was prepared from
// (PreparedDetection.pipeline) instead of parsing the expanded search again: the keys are the same
// as from a fresh parse, on the scan test content and (when ../shared is there) the ESCU corpus.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataModels } from '@dac/normalise';
import { contentContext, prepareDetection } from '@dac/replay';
import { loadContent } from '@dac/content';
import { detectionKeys } from '@dac/scan';
import { repo, writeContent } from './content.js';

const escu = join(repo, '..', 'shared', 'corpus', 'escu');

describe('detectionKeys from the prepared pipeline', () => {
  const roots: [string, string, number][] = [['the scan test content', writeContent(), 3]];
  if (existsSync(escu)) roots.push(['the ESCU corpus', escu, 1000]);
  it.each(roots)(
    'gives the keys of a fresh parse of the expanded search: %s',
    (_, root, atLeast) => {
      const tree = loadContent(root);
      const ctx = contentContext(tree);
      const dm = defaultDataModels();
      let compared = 0;
      for (const d of tree.detections) {
        if (!d.data) continue;
        const p = prepareDetection({ file: d.file.relPath, data: d.data }, ctx, { now: 1_700_000_000 });
        if (!p.replayable) continue;
        expect(detectionKeys(p, dm)).toEqual(detectionKeys({ search: p.search, plan: p.plan }, dm));
        compared++;
      }
      expect(compared).toBeGreaterThanOrEqual(atLeast);
    },
    60_000,
  );
});
