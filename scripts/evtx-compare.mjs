// `node scripts/evtx-compare.mjs [DIR]`: reads every .evtx under DIR (default ../shared/data/evtx)
// with dac's EVTX reader and with each installed reference tool (evtxexport -f xml, evtx_dump.py),
// and prints record counts, field comparisons and every difference. Development only (the tools
// are Debian packages installed by hand: libevtx-utils, python3-evtx). Bundles the TypeScript
// comparison (test/evtx/corpus.ts) with esbuild, as scripts/bench.mjs does.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { workspaceBundleOptions } from './workspace-bundle.mjs';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const dir = resolve(process.argv[2] ?? join(root, '..', 'shared', 'data', 'evtx'));
if (!existsSync(dir)) {
  console.log(`no EVTX corpus at ${dir}: nothing to compare`);
  process.exit(0);
}
const out = mkdtempSync(join(root, 'node_modules', '.dac-evtx-compare-'));
try {
  const entry = join(out, 'main.ts');
  writeFileSync(
    entry,
    `import { compareCorpus, TOOLS, toolInstalled } from ${JSON.stringify(join(root, 'test/evtx/corpus.ts'))};
import { printSummary } from ${JSON.stringify(join(root, 'test/evtx/summary.ts'))};
const tools = TOOLS.filter(toolInstalled);
for (const t of TOOLS) if (!tools.includes(t)) console.log(t.name + ': not installed, skipped');
let n = 0;
const s = await compareCorpus(${JSON.stringify(dir)}, tools, () => { if (++n % 50 === 0) process.stderr.write(n + ' files\\n'); });
printSummary(s, (l) => console.log(l));
`,
  );
  const outfile = join(out, 'main.mjs');
  await build({ ...workspaceBundleOptions(root), entryPoints: [entry], outfile });
  const r = spawnSync(process.execPath, [outfile], { stdio: 'inherit', cwd: root });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
