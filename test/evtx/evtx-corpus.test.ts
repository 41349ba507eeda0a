import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareCorpus, TOOLS, toolInstalled } from './corpus.js';
import { printSummary } from './summary.js';

// Corpus-scale: every .evtx of ../shared/data/evtx (281 real files, CC0) against libevtx's
// evtxexport, and with DAC_EVTX_PYTHON=1 also against python-evtx (slow: ~2 min). Skips cleanly
// without the corpus or the tools (CI has neither). `node scripts/evtx-compare.mjs` prints the same
// comparison with every difference.
const corpus = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'evtx');
const tools = TOOLS.filter((t) => (t.python ? process.env.DAC_EVTX_PYTHON === '1' : true)).filter(toolInstalled);
const run = existsSync(corpus) && tools.length > 0;

describe.skipIf(!run)('EVTX corpus: every shared sample equals the reference implementation', () => {
  it('record counts and every System / EventData / UserData field equal', { timeout: 600_000 }, async () => {
    const s = await compareCorpus(corpus, tools);
    const lines: string[] = [];
    printSummary(s, (l) => lines.push(l));
    console.log(lines.join('\n'));
    expect(s.files).toBeGreaterThan(0);
    expect(s.issues).toBe(0);
    expect(s.fastPathDiffers).toBe(0);
    for (const p of Object.values(s.perTool)) expect(p.exceptions).toEqual([]);
  });
});
