// EVTX reading throughput over the whole shared sample set (../shared/data/evtx, 281 real files),
// on one core, against the reference tools measured in the same run where installed:
//   dac cold     = a fresh node process reading each file once from disk (readEvtxFile), fields
//                  handed over — what `dac scan` does: JIT warm-up, template plans compiled as
//                  templates are first met (best of 3 processes: the machine is shared);
//   dac warm     = the same passes again in one process (best of 5): text only; text + fields (the
//                  replay default); the reference renderer only (`plans: false`: every record parsed
//                  into a node tree and rendered from it); text, then parseEventXml of each event;
//   evtxexport -f xml (libevtx, C) and evtx_dump.py (python-evtx), output to /dev/null, one
//   process per file (their startup counted: that is how they are used).
// Figures are CPU seconds (user + system) — ours from process.cpuUsage around the pass, the tools'
// from bash's `times` for its children — because wall time on the shared 2-core machine measures
// the neighbours.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EvtxReadOptions, parseEventXml, readEvtxFile } from '@dac/replay';
import { sharedEvtxCorpusOrSkip } from '../../../test/support/bench.js';

const { files, bytes } = sharedEvtxCorpusOrSkip();

type Mode = 'text' | 'fields' | 'reference' | 'reparse';

async function pass(mode: Mode): Promise<number> {
  let records = 0;
  const opts: EvtxReadOptions = { fields: mode === 'fields' || mode === 'reference', plans: mode !== 'reference' };
  const sink = {
    record(r: { xml: string }) {
      records++;
      if (mode === 'reparse') parseEventXml(r.xml);
    },
    issue() {},
  };
  for (const f of files) await readEvtxFile(f, sink, opts);
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

// The cold child: one pass, its CPU seconds as JSON, nothing else.
if (process.argv[2] === '--cold') {
  const r = await cpu(1, () => pass('fields'));
  console.log(JSON.stringify(r));
  process.exit(0);
}

interface Row {
  name: string;
  s: number;
  records: number;
}
const rows: Row[] = [];
let cold: Row | undefined;
for (let i = 0; i < 3; i++) {
  const c = spawnSync(process.execPath, [process.argv[1]!, '--cold'], { encoding: 'utf8', env: process.env });
  if (c.status !== 0) {
    console.log(`cold pass failed: ${c.stderr}`);
    break;
  }
  const r = JSON.parse(c.stdout.trim().split('\n').pop()!) as { s: number; records: number };
  if (!cold || r.s < cold.s) cold = { name: 'dac cold, text + fields', ...r };
}
if (cold) rows.push(cold);
await pass('fields'); // warm-up (JIT, template plans)
for (const [mode, name] of [
  ['text', 'dac warm, text only'],
  ['fields', 'dac warm, text + fields'],
  ['reference', 'dac warm, reference renderer'],
  ['reparse', 'dac warm, text + re-parse'],
] as const) {
  const r = await cpu(5, () => pass(mode));
  rows.push({ name, ...r });
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
  `${files.length} files, ${(bytes / 1e6).toFixed(2)} MB; CPU seconds on one core (dac cold: best of 3 fresh processes; warm: best of 5; tools once, one process per file)`,
);
console.log('reader                           CPU s     MB/s   records   records/s');
for (const r of rows)
  console.log(
    `${r.name.padEnd(30)} ${r.s.toFixed(3).padStart(7)} ${(bytes / 1e6 / r.s).toFixed(1).padStart(8)} ${String(r.records).padStart(9)} ${Math.round(
      r.records / r.s,
    )
      .toString()
      .padStart(11)}`,
  );
const f = rows.find((r) => r.name === 'dac warm, text + fields')!;
const ref = rows.find((r) => r.name === 'dac warm, reference renderer')!;
const rp = rows.find((r) => r.name === 'dac warm, text + re-parse')!;
console.log(`plans: text + fields take ${((100 * f.s) / ref.s).toFixed(0)}% of the reference renderer's CPU`);
console.log(`fast path: fields handed over directly take ${((100 * f.s) / rp.s).toFixed(0)}% of text + re-parse`);
for (const r of rows.filter((x) => !x.name.startsWith('dac')))
  for (const d of [cold, f])
    if (d)
      console.log(
        `${d.name} vs ${r.name}: ${(r.s / d.s).toFixed(1)}x the MB/s, ${(d.records / d.s / (r.records / r.s)).toFixed(1)}x the records/s`,
      );
