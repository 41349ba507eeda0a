// The scan bench's floor alone (packages/scan/bench/scan.bench.ts): readFixture over the 281 real
// EVTX captures of ../shared/data/evtx as XmlWinEventLog — EVTX chunks, binary XML, the rendered
// text and fields of every event; no extraction, no detection. CPU seconds of this process (user +
// system, best of 7: the machine is shared), so that a change to the reader can be measured
// without the minutes the full scan bench takes.
// DAC_FLOOR_PROFILE=FILE: a CPU profile (.cpuprofile, node:inspector) of three more warm passes.
import { formatFor, readFixture } from '@dac/replay';
import { sharedEvtxCorpusOrSkip, writeCpuProfile } from '../../../test/support/bench.js';

const { files, bytes } = sharedEvtxCorpusOrSkip();
const fmt = formatFor('XmlWinEventLog');
if ('error' in fmt) throw new Error(fmt.error);

async function pass(): Promise<number> {
  let events = 0;
  for (const f of files)
    events += (await readFixture(f, fmt as Exclude<typeof fmt, { error: string }>, () => {}, { maxIssues: 0 })).events;
  return events;
}

const runs = Number(process.env.DAC_FLOOR_RUNS ?? 7);
let best = Infinity;
let first = 0;
let events = 0;
for (let i = 0; i < runs; i++) {
  (globalThis as { gc?: () => void }).gc?.();
  const t0 = process.cpuUsage();
  events = await pass();
  const d = process.cpuUsage(t0);
  const s = (d.user + d.system) / 1e6;
  if (i === 0) first = s;
  best = Math.min(best, s);
}
console.log(
  `${files.length} files, ${(bytes / 1e6).toFixed(2)} MB, ${events} events; floor (read + decode): first pass ${first.toFixed(3)} s CPU, best of ${runs} ${best.toFixed(3)} s CPU = ${Math.round(events / best).toLocaleString('en')} events/s, ${(bytes / 1e6 / best).toFixed(1)} MB/s`,
);

const profileTo = process.env.DAC_FLOOR_PROFILE;
if (profileTo) {
  await writeCpuProfile(profileTo, 100, async () => {
    for (let i = 0; i < 3; i++) await pass();
  });
  console.log(`profile of three passes written to ${profileTo}`);
}
