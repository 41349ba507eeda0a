// Builds packages/spl/src/fixtures/escu-sample.json: a small, deterministic sample of real ESCU
// detection searches (splunk/security_content b13b314, Apache-2.0) and the corpus macros they use,
// for tests that must run without ../shared. Run from the repo root:
//   node packages/spl/scripts/make-escu-sample.mjs
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const corpus = new URL('../../../../shared/corpus/escu/', import.meta.url).pathname;
const files = readdirSync(join(corpus, 'detections/endpoint'))
  .filter((f) => f.endsWith('.yml'))
  .sort();
const dets = files.map((f) => ({
  file: `detections/endpoint/${f}`,
  ...parse(readFileSync(join(corpus, 'detections/endpoint', f), 'utf8')),
}));
const pick = new Map();
const want = (pred, n) => {
  for (const d of dets) {
    if (n <= 0) break;
    if (!pick.has(d.file) && pred(d.search)) {
      pick.set(d.file, d);
      n--;
    }
  }
};
want((s) => s.includes('```'), 3);
want((s) => /\[\s*\|?\s*(search|inputlookup)/.test(s), 4);
want((s) => s.includes('foreach'), 2);
want((s) => s.includes('appendpipe'), 1);
want((s) => /\bNOT\b/.test(s) && s.startsWith('| tstats'), 3);
want((s) => s.includes('!='), 3);
want((s) => /`process_[a-z]+`/.test(s), 3);
want((s) => s.startsWith('`wineventlog_security`'), 2);
want((s) => s.startsWith('`sysmon`'), 2);
want((s) => s.includes('| eval') && s.includes('case('), 2);
want((s) => s.includes('| where') && s.includes('like('), 2);
want((s) => s.includes('span='), 2);
want((s) => s.includes('| lookup'), 2);
want((s) => s.includes('| rex'), 2);
const step = Math.floor(dets.length / 12);
for (let i = 0; i < dets.length && pick.size < 40; i += step) pick.set(dets[i].file, dets[i]);

const macroDefs = new Map();
for (const f of readdirSync(join(corpus, 'macros')).sort()) {
  try {
    const m = parse(readFileSync(join(corpus, 'macros', f), 'utf8'));
    macroDefs.set(m.name, { name: m.name, args: m.arguments ?? [], definition: String(m.definition) });
  } catch {
    /* node yaml rejects a few corpus files */
  }
}
const needed = new Map();
const visit = (text) => {
  for (const m of text.matchAll(/`([A-Za-z0-9_]+)/g)) {
    const d = macroDefs.get(m[1]);
    if (d && !needed.has(d.name)) {
      needed.set(d.name, d);
      visit(d.definition);
    }
  }
};
const searches = [...pick.values()].map((d) => ({ file: d.file, name: d.name, search: d.search }));
for (const s of searches) visit(s.search);
const out = {
  source: 'splunk/security_content@b13b314 (Apache-2.0), detections/endpoint and macros/',
  searches,
  macros: [...needed.values()].sort((a, b) => a.name.localeCompare(b.name)),
};
writeFileSync(new URL('../src/fixtures/escu-sample.json', import.meta.url), `${JSON.stringify(out, null, 1)}\n`);
console.log(`${searches.length} searches, ${needed.size} macros`);
