// EVTX reading throughput over the whole shared sample set (../shared/data/evtx, 281 real files),
// on one core, against the reference tools measured in the same run where installed:
//   dac text     = readEvtx: chunks, CRC checks, binary XML, templates, rendering to XmlWinEventLog text;
//   dac fields   = the same, handing the fields over directly (the replay's default);
//   dac re-parse = text, then parseEventXml of each rendered event (what the fast path saves);
//   evtxexport -f xml (libevtx, C) and evtx_dump.py (python-evtx), output to /dev/null, one
//   process per file (their startup counted: that is how they are used).
// Figures are CPU seconds (user + system) — ours from process.cpuUsage, the tools' from bash's
// `times` for its children — because wall time on the shared 2-core machine measures the neighbours.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEventXml, readEvtx } from '@dac/replay';

const root = process.env.DAC_REPO_ROOT ?? process.cwd();
const corpus = join(root, '..', 'shared', 'data', 'evtx');
if (!existsSync(corpus)) {
  console.log(`skipped: no EVTX corpus at ${corpus}`);
  process.exit(0);
}

const files: string[] = [];
const walk = (d: string) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.toLowerCase().endsWith('.evtx')) files.push(p);
  }
};
walk(corpus);
files.sort();
const bytes = files.reduce((a, f) => a + statSync(f).size, 0);
// Files are read from memory for ours (the page cache serves the tools the same bytes).
const data = files.map((f) => readFileSync(f));

async function pass(mode: 'text' | 'fields' | 'reparse'): Promise<number> {
  let records = 0;
  for (const b of data) {
    await readEvtx(
      [b],
      {
        record(r) {
          records++;
          if (mode === 'reparse') parseEventXml(r.xml);
        },
        issue() {},
      },
      { fields: mode === 'fields' },
    );
  }
  return records;
}

async function cpu(runs: number, f: () => Promise<number>): Promise<{ s: number; records: number }> {
  let best = Infinity;
  let records = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = process.cpuUsage();
    records = await f();
    const u = process.cpuUsage(t0);
    best = Math.min(best, (u.user + u.system) / 1e6);
  }
  return { s: best, records };
}

interface Row {
  name: string;
  s: number;
  records: number;
}
const rows: Row[] = [];
await pass('fields'); // warm-up (JIT)
for (const mode of ['text', 'fields', 'reparse'] as const) {
  const r = await cpu(5, () => pass(mode));
  rows.push({ name: `dac ${mode === 'reparse' ? 're-parse' : mode}`, ...r });
}

/** Children's CPU seconds of a bash loop, from `times` (second line: children user, system). */
function toolCpu(cmd: string): { s: number; records: number } | undefined {
  const list = join(tmpdir(), `dac-evtx-bench-${process.pid}.txt`);
  writeFileSync(list, files.join('\n'));
  const script = `n=0; while IFS= read -r f; do ${cmd} "$f" 2>/dev/null | grep -c '<Event ' ; done < ${JSON.stringify(list)} > ${JSON.stringify(`${list}.counts`)}; times`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) return undefined;
  const lines = r.stdout.trim().split('\n');
  const m = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/.exec(lines[lines.length - 1]!);
  if (!m) return undefined;
  const s = Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
  const records = readFileSync(`${list}.counts`, 'utf8')
    .trim()
    .split('\n')
    .reduce((a, x) => a + Number(x || 0), 0);
  return { s, records };
}
const has = (t: string) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0;
for (const [name, cmd] of [
  ['evtxexport -f xml', 'evtxexport -f xml'],
  ['evtx_dump.py', 'evtx_dump.py'],
] as const) {
  const bin = cmd.split(' ')[0]!;
  if (!has(bin)) {
    console.log(`${name}: not installed, skipped`);
    continue;
  }
  const r = toolCpu(cmd);
  if (r) rows.push({ name, ...r });
  else console.log(`${name}: could not be measured`);
}

console.log(
  `${files.length} files, ${(bytes / 1e6).toFixed(2)} MB; CPU seconds on one core (best of 5 for dac; tools once, one process per file)`,
);
console.log('reader                 CPU s    MB/s   records   records/s');
for (const r of rows)
  console.log(
    `${r.name.padEnd(20)} ${r.s.toFixed(3).padStart(7)} ${(bytes / 1e6 / r.s).toFixed(1).padStart(7)} ${String(r.records).padStart(9)} ${Math.round(
      r.records / r.s,
    )
      .toString()
      .padStart(11)}`,
  );
const f = rows.find((r) => r.name === 'dac fields')!;
const rp = rows.find((r) => r.name === 'dac re-parse')!;
console.log(`fast path: fields handed over directly take ${((100 * f.s) / rp.s).toFixed(0)}% of text + re-parse`);
for (const r of rows.filter((x) => !x.name.startsWith('dac')))
  console.log(`dac fields vs ${r.name}: ${(r.s / f.s).toFixed(1)}x faster`);
