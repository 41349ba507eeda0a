// Replay throughput against the floor of the same file, measured in the same run:
//   floor (XML)  = streaming the file line by line, no parsing: the faster of readLines (per-line
//                  decode) and the textbook TextDecoder-per-chunk + split;
//   floor (JSON) = the same + JSON.parse of each line.
// End to end = read + parse + normalise + generated matcher + tstats + post-pipeline of the ngrok
// detection (`replayFiles`). Files at 1x and 10x size, with peak RSS / heap to show that
// memory stays flat. Single JS thread (gunzip, when used, runs on libuv's pool).
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadContent } from '@dac/content';
import { contentContext, prepareDetection, replayFiles, type ReplayInput } from '@dac/replay';
import { parseEventXml, readLines } from '../src/readers/index.js';

const root = process.env.DAC_REPO_ROOT ?? process.cwd();
const NGROK = 'detections/endpoint/windows_ngrok_reverse_proxy_usage.yml';
const tmp = mkdtempSync(join(tmpdir(), 'dac-replay-bench-'));

let peakRss = 0;
let peakHeap = 0;
function sample(): void {
  const m = process.memoryUsage();
  if (m.rss > peakRss) peakRss = m.rss;
  if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
}
function resetPeaks(): void {
  (globalThis as { gc?: () => void }).gc?.();
  peakRss = 0;
  peakHeap = 0;
  sample();
}

async function writeCopies(path: string, unit: string, targetBytes: number): Promise<number> {
  const out = createWriteStream(path);
  let written = 0;
  while (written < targetBytes) {
    if (!out.write(unit)) await new Promise((r) => out.once('drain', r));
    written += Buffer.byteLength(unit);
  }
  await new Promise((r) => out.end(r));
  return statSync(path).size;
}

/**
 * Best of `runs`, in CPU seconds of this process (user + system): on a shared machine wall time
 * measures the neighbours, CPU time measures the work ("one core").
 */
async function best<T>(runs: number, f: () => Promise<T>): Promise<{ s: number; r: T }> {
  let bestS = Infinity;
  let r!: T;
  for (let i = 0; i < runs; i++) {
    const t0 = process.cpuUsage();
    r = await f();
    const u = process.cpuUsage(t0);
    bestS = Math.min(bestS, (u.user + u.system) / 1e6);
  }
  return { s: bestS, r };
}

/** The textbook line reader: decode each chunk, split on newlines. */
async function chunkLines(path: string, onLine: (l: string) => void): Promise<void> {
  const dec = new TextDecoder();
  let pending = '';
  for await (const b of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const parts = (pending + dec.decode(b as Buffer, { stream: true })).split('\n');
    pending = parts.pop()!;
    for (const l of parts) onLine(l);
  }
  if (pending) onLine(pending);
}

const mb = (b: number) => b / 1e6;
const fmtMem = () => `peak RSS ${(peakRss / 1048576).toFixed(0)} MiB, heap ${(peakHeap / 1048576).toFixed(0)} MiB`;

const tree = loadContent(root);
const det = tree.detections.find((d) => d.file.relPath === NGROK);
if (!det?.data) {
  console.log(`skip: ${NGROK} not found under ${root}`);
  process.exit(0);
}
const ctx = contentContext(tree);
const prep = prepareDetection({ file: NGROK, data: det.data }, ctx);
if (!prep.replayable) throw new Error(prep.reason);

// XML unit: the real certutil events (Sysmon EID 1 + 4688, no classic text) and the ngrok fixture.
const certutil = readFileSync(join(root, 'test/logs/certutil_sysmon_4688_mixed.raw'), 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('<Event'));
const ngrok = readFileSync(
  join(root, 'test/attack_data/datasets/attack_techniques/T1572/ngrok/windows-sysmon.log'),
  'utf8',
)
  .trimEnd()
  .split('\n');
const xmlUnit = `${[...certutil, ...ngrok].join('\n')}\n`;
const jsonUnit = gunzipSync(readFileSync(join(root, 'test/logs/atomic_T1027_nxlog.jsonl.gz'))).toString('utf8');

const cases: { name: string; unit: string; base: number; sourcetype: string; json: boolean }[] = [
  { name: 'XmlWinEventLog (Sysmon 1 + 4688)', unit: xmlUnit, base: 20e6, sourcetype: 'XmlWinEventLog', json: false },
  { name: 'nxlog:json (T1027, 7,959 events/copy)', unit: jsonUnit, base: 21.7e6, sourcetype: 'nxlog:json', json: true },
];

console.log('MB/s and events/s per CPU-second (best of 3 at 1x, of 2 at 10x)');
console.log('format | size | floor MB/s | replay MB/s | replay events/s | replay / floor | memory (replay)');
for (const c of cases) {
  for (const mult of [1, 10]) {
    const path = join(tmp, `${c.json ? 'json' : 'xml'}-${mult}x.log`);
    const bytes = await writeCopies(path, c.unit, c.base * mult);
    const runs = mult === 1 ? 3 : 2;
    const perLine = c.json
      ? (l: string) => {
          if (l) JSON.parse(l);
        }
      : () => {};
    const floorA = await best(runs, () => readLines(path, perLine));
    const floorB = await best(runs, () => chunkLines(path, perLine));
    const floor = floorA.s <= floorB.s ? floorA : floorB;
    resetPeaks();
    let n = 0;
    const input: ReplayInput = { path, sourcetype: c.sourcetype };
    const rep = await best(runs, () =>
      replayFiles(prep, [input], ctx, {
        onEvent: () => {
          if ((++n & 1023) === 0) sample();
        },
      }),
    );
    sample();
    const st = rep.r.stats;
    console.log(
      `${c.name} | ${mult}x ${mb(bytes).toFixed(0)} MB | ${(mb(bytes) / floor.s).toFixed(0)} | ${(mb(bytes) / rep.s).toFixed(0)} | ${Math.round(st.eventsRead / rep.s)} | ${(floor.s / rep.s).toFixed(2)} | ${fmtMem()} (events ${st.eventsRead}, in data set ${st.inDataSet}, rows ${st.rows})`,
    );
    rmSync(path);
  }
}
// Parser alone, in memory (no I/O), per event: all fields, and the replay's projections.
{
  const evs: string[] = [];
  while (evs.length < 20000) evs.push(...certutil.map((l) => Buffer.from(l).toString()));
  const full = new Set([...prep.normaliser.rawFieldsFor('XmlWinEventLog'), 'Channel', 'Computer', 'SystemTime']);
  const where = new Set([
    ...prep.normaliser.rawFieldsFor('XmlWinEventLog', prep.whereFields),
    'Channel',
    'Computer',
    'SystemTime',
  ]);
  // Projections first (what the replay uses); "all fields" last, as it makes the code polymorphic.
  for (const [name, wanted] of [
    [`${where.size} where-clause fields`, where],
    [`${full.size} normalised fields`, full],
    ['all fields', undefined],
  ] as const) {
    const r = await best(3, async () => {
      for (const e of evs) parseEventXml(e, false, wanted);
    });
    const bytes = evs.reduce((a, e) => a + e.length, 0);
    console.log(
      `parseEventXml, ${name}: ${((r.s * 1e6) / evs.length).toFixed(2)} µs/event, ${(mb(bytes) / r.s).toFixed(0)} MB/s`,
    );
  }
}
rmSync(tmp, { recursive: true, force: true });
