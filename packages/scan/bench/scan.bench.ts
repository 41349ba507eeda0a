// `dac scan` throughput with the full ESCU corpus rule set (../shared/corpus/escu, 1,175
// endpoint detections) over the 281 real EVTX captures of ../shared/data/evtx, next to a floor
// measured in the same run: reading + decoding alone (readFixture: EVTX chunks, binary XML, the
// fields of every event; no extraction, no detection). Figures are CPU seconds of this process
// (user + system, best of 3) — wall time on the shared 2-core machine measures the neighbours —
// plus the wall time of a 2-thread scan (this thread + one worker) when the bundled worker
// exists (npm run build). Skips cleanly without ../shared.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultAddonEngine, type RawEvent } from '@dac/normalise';
import { formatFor, readFixture } from '@dac/replay';
import { findLogs, prepareScan, runScan, scanIndex } from '@dac/scan';
import { bestOf, cpuSecondsSince, eventsPerSecond, writeCpuProfile } from '../../../test/support/bench.js';

const root = process.env.DAC_REPO_ROOT ?? process.cwd();
const content = join(root, '..', 'shared', 'corpus', 'escu');
const evtx = join(root, '..', 'shared', 'data', 'evtx');
if (!existsSync(content) || !existsSync(evtx)) {
  console.log('skipped: no ../shared/corpus/escu or ../shared/data/evtx');
  process.exit(0);
}
const logs = findLogs([evtx]);
const fmt = formatFor('XmlWinEventLog');
if ('error' in fmt) throw new Error(fmt.error);

const floor = await bestOf(3, async () => {
  let events = 0;
  for (const l of logs) events += (await readFixture(l.path, fmt, () => {}, { maxIssues: 0 })).events;
  return events;
});
const t0 = process.cpuUsage();
const prepared = prepareScan(content);
const prepareCpu = cpuSecondsSince(t0);
// Two more same-run stages between the floor and the scan, each reading + decoding every event
// and then extracting it as the scan does (the add-on engine over the event's stream), with no
// detection run: (a) only `tag` and `eventtype`, which every event needs before the rule index
// can tell its data sets (Endpoint.Processes, .Filesystem, … are defined by tags); (b) the
// routing fields, what the scan extracts from every event of a stream some detection can use
// before it picks candidates. Their ratios to the floor bound the scan's: the scan does all of
// (b) and then routes, pushes and ends the runs.
const engine = defaultAddonEngine();
const index = scanIndex(prepared.detections);
const membershipFields: ReadonlySet<string> = new Set(['tag', 'eventtype']);
const extracting = (fields: 'membership' | 'routing') => async () => {
  let events = 0;
  for (const l of logs)
    events += (
      await readFixture(
        l.path,
        fmt,
        (raw: RawEvent) => {
          const source = fmt.sourceOf(raw.fields);
          const routing = index.stream(fmt.sourcetype, source);
          if (routing.eligible.length === 0) return;
          const meta = { sourcetype: fmt.sourcetype, source, host: fmt.hostOf(raw.fields) };
          engine
            .extractor(fmt.sourcetype, source)
            .extract(raw, meta, fields === 'membership' ? membershipFields : routing.fields);
        },
        { maxIssues: 0 },
      )
    ).events;
  return events;
};
const tags = await bestOf(3, extracting('membership'));
const routed = await bestOf(3, extracting('routing'));
const one = await bestOf(3, () => runScan(prepared, logs, { jobs: 1 }));
const r = one.value;
const events = r.summary.events;
console.log(
  `${logs.length} logs, ${events} events; ${r.summary.detections} detections run (${r.summary.notReplayable} not replayable), prepared in ${prepareCpu.toFixed(2)} s CPU`,
);
console.log(
  `fired: ${r.summary.fired} detections, ${r.hits.length} (detection, log) results; logs with no detection firing: ${r.logs.filter((l) => l.fired.length === 0).length}`,
);
console.log(`floor (read + decode):  ${floor.s.toFixed(3)} s CPU  ${eventsPerSecond(floor.value, floor.s)}`);
const stage = (label: string, x: { s: number; value: number }) =>
  console.log(
    `${label.padEnd(24)}${x.s.toFixed(3)} s CPU  ${eventsPerSecond(x.value, x.s)}  = ${(floor.s / x.s).toFixed(2)}× floor`,
  );
stage('+ tag/eventtype only:', tags);
stage('+ routing extraction:', routed);
console.log(
  `scan, 1 thread:         ${one.s.toFixed(3)} s CPU  ${eventsPerSecond(events, one.s)}  = ${(floor.s / one.s).toFixed(2)}× floor (goal ≥ 0.5×, ≥ 50,000 events/s); wall ${one.wall.toFixed(2)} s`,
);
// DAC_SCAN_PROFILE=FILE: a CPU profile (.cpuprofile, node:inspector) of one more 1-thread scan
// alone — no preparation, no floor — for finding where the scan's time goes.
const profileTo = process.env.DAC_SCAN_PROFILE;
if (profileTo) {
  await writeCpuProfile(profileTo, 200, () => runScan(prepared, logs, { jobs: 1 }));
  console.log(`profile of one scan written to ${profileTo}`);
}
console.log(`rss after the scans: ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
const worker = join(root, 'packages', 'cli', 'dist', 'scan-file.worker.js');
if (existsSync(worker)) {
  process.env.DAC_SCAN_WORKER = worker;
  const two = await bestOf(2, () => runScan(prepared, logs, { jobs: 2 }));
  const same = JSON.stringify(two.value.hits) === JSON.stringify(r.hits);
  console.log(
    `scan, 2 threads (wall): ${two.wall.toFixed(2)} s vs 1 thread ${one.wall.toFixed(2)} s (the worker is sent this thread's prepared detections as plain values and builds a plan on first use; this thread's preparation with YAML: ${prepareCpu.toFixed(1)} s CPU); same results: ${same}`,
  );
  if (!same) process.exitCode = 1;
} else console.log('2 threads: skipped (no packages/cli/dist/scan-file.worker.js; run npm run build)');
