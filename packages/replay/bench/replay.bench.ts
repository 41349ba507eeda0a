// Replay throughput against the floor of the same file, measured in the same run:
//   floor (XML)  = streaming the file line by line, no parsing: the faster of readLines (per-line
//                  decode) and the textbook TextDecoder-per-chunk + split;
//   floor (JSON) = the same + JSON.parse of each line.
//   reader floor = read + parse alone (readFixture of the same file, events dropped).
// End to end (`replayFiles`) = read + parse + add-on extraction + the search engine, for a typical
// raw-event `| stats … by` detection of each format and for the ngrok tstats detection. Files at
// 1x and 10x size, with peak RSS / heap to show that memory stays flat. Single JS thread (gunzip,
// when used, runs on libuv's pool). Goal: raw-search replay ≥ 0.5× the reader floor.
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadContent } from '@dac/content';
import {
  contentContext,
  formatFor,
  prepareDetection,
  readFixture,
  replayFiles,
  type FixtureFormat,
  type PreparedDetection,
  type ReplayInput,
} from '@dac/replay';
import { readLines } from '../src/readers/index.js';

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
const prepOf = (file: string, search: string, name = file): PreparedDetection => {
  const p = prepareDetection({ file, data: { name, search } }, ctx);
  if (!p.replayable) throw new Error(p.reason);
  return p;
};
const prep = prepOf(NGROK, det.data.search, det.data.name);
// Typical raw-event detections (the shape of ESCU's `sysmon` … | stats count min(_time) max(_time) by …).
const rawXml = prepOf(
  'raw-sysmon',
  '(source=XmlWinEventLog:Microsoft-Windows-Sysmon/Operational OR source=XmlWinEventLog:Security) (EventCode=1 OR EventCode=4688) | stats count min(_time) as firstTime max(_time) as lastTime by Computer Image ParentImage User | `security_content_ctime(firstTime)`',
);
const rawJson = prepOf(
  'raw-nxlog',
  'sourcetype=nxlog:json EventID=1 | stats count min(_time) as firstTime max(_time) as lastTime by Hostname Image ParentImage User | `security_content_ctime(firstTime)`',
);

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

const cases: {
  name: string;
  unit: string;
  base: number;
  sourcetype: string;
  json: boolean;
  raw: PreparedDetection;
}[] = [
  {
    name: 'XmlWinEventLog (Sysmon 1 + 4688)',
    unit: xmlUnit,
    base: 20e6,
    sourcetype: 'XmlWinEventLog',
    json: false,
    raw: rawXml,
  },
  {
    name: 'nxlog:json (T1027, 7,959 events/copy)',
    unit: jsonUnit,
    base: 21.7e6,
    sourcetype: 'nxlog:json',
    json: true,
    raw: rawJson,
  },
];

console.log('events/s per CPU-second (best of 3 at 1x, of 2 at 10x); ratios against the reader floor (read + parse)');
console.log(
  'format | size | line floor MB/s | reader floor events/s | raw stats-by replay events/s (ratio) | ngrok tstats replay events/s (ratio) | memory (replays)',
);
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
    const fmt = formatFor(c.sourcetype) as FixtureFormat;
    const reader = await best(runs, () => readFixture(path, fmt, () => {}));
    const events = reader.r.events;
    resetPeaks();
    let n = 0;
    const input: ReplayInput = { path, sourcetype: c.sourcetype };
    const onEvent = () => {
      if ((++n & 1023) === 0) sample();
    };
    const raw = await best(runs, () => replayFiles(c.raw, [input], ctx, { onEvent }));
    const tstats = await best(runs, () => replayFiles(prep, [input], ctx, { onEvent }));
    sample();
    const eps = (s: number) => Math.round(events / s);
    console.log(
      `${c.name} | ${mult}x ${mb(bytes).toFixed(0)} MB | ${(mb(bytes) / floor.s).toFixed(0)} | ${eps(reader.s)} | ${eps(raw.s)} (${(reader.s / raw.s).toFixed(2)}) | ${eps(tstats.s)} (${(reader.s / tstats.s).toFixed(2)}) | ${fmtMem()} (events ${events}, raw rows ${raw.r.stats.rows}, tstats in data set ${tstats.r.stats.inDataSet}, rows ${tstats.r.stats.rows})`,
    );
    rmSync(path);
  }
}
rmSync(tmp, { recursive: true, force: true });
