// `dac scan` on large logs: the per-event cost once a log is long, and whether a second thread
// pays then. The shared EVTX set is 281 small captures (36 events each on average), so a scan of
// it also pays every file's start and end for each of its detections. Here the 10,015 real
// events of ../shared/data/evtx are rendered once, as Splunk's XmlWinEventLog renders them (the
// EVTX reader's event text), and written DAC_LARGE_REPEAT times (default 10) into one XML log
// in a temporary folder, plus a copy of that log for the 2-thread run. Repeating the same
// events makes every memo keyed by values (the matcher's, EVAL's, membership's) hit more often
// than on a real log of that size, so these figures are an upper bound for such a log.
// Measured: the floor (reading + parsing the XML log alone) and the scan with the full ESCU rule
// set on one thread, then on both logs with one thread and with two (this thread + a worker)
// when the bundled worker exists (npm run build). CPU seconds of this process, best of 2; wall
// time for the 2-thread runs. Skips cleanly without ../shared. The folder is removed at the end.
import { createWriteStream, existsSync, linkSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatFor, readFixture } from '@dac/replay';
import { findLogs, prepareScan, runScan } from '@dac/scan';
import { bestOf, eventsPerSecond } from '../../../test/support/bench.js';

const root = process.env.DAC_REPO_ROOT ?? process.cwd();
const content = join(root, '..', 'shared', 'corpus', 'escu');
const evtx = join(root, '..', 'shared', 'data', 'evtx');
if (!existsSync(content) || !existsSync(evtx)) {
  console.log('skipped: no ../shared/corpus/escu or ../shared/data/evtx');
  process.exit(0);
}
const repeat = Math.max(1, Number(process.env.DAC_LARGE_REPEAT ?? 10) || 10);
const xml = formatFor('XmlWinEventLog');
if ('error' in xml) throw new Error(xml.error);

const dir = mkdtempSync(join(tmpdir(), 'dac-scan-large-'));
try {
  // The events' text, in corpus order.
  const texts: string[] = [];
  for (const l of findLogs([evtx]))
    await readFixture(l.path, xml, (raw) => void (raw.text !== undefined && texts.push(raw.text)), { maxIssues: 0 });
  const one = join(dir, 'one', 'events.log');
  const two = join(dir, 'two');
  mkdirSync(join(dir, 'one'));
  mkdirSync(two);
  const out = createWriteStream(one);
  for (let k = 0; k < repeat; k++)
    for (const t of texts) if (!out.write(`${t}\n`)) await new Promise((r) => out.once('drain', r));
  out.end();
  await new Promise((r) => out.once('finish', r));
  linkSync(one, join(two, 'a.log'));
  linkSync(one, join(two, 'b.log'));
  const mb = statSync(one).size / 1e6;

  const logsOne = findLogs([join(dir, 'one')]);
  const logsTwo = findLogs([two]);
  const floor = await bestOf(2, async () => (await readFixture(one, xml, () => {}, { maxIssues: 0 })).events);
  const prepared = prepareScan(content);
  const scan = await bestOf(2, () => runScan(prepared, logsOne, { jobs: 1 }));
  const events = scan.value.summary.events;
  console.log(
    `one XmlWinEventLog log: ${events.toLocaleString('en')} events (the corpus's ${texts.length.toLocaleString('en')} × ${repeat}), ${mb.toFixed(0)} MB; ${scan.value.summary.fired} detections fired`,
  );
  console.log(`floor (read + parse):   ${floor.s.toFixed(2)} s CPU  ${eventsPerSecond(floor.value, floor.s)}`);
  console.log(
    `scan, 1 thread:         ${scan.s.toFixed(2)} s CPU  ${eventsPerSecond(events, scan.s)}  = ${(floor.s / scan.s).toFixed(2)}× floor; wall ${scan.wall.toFixed(2)} s`,
  );
  console.log(`rss after the scans: ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
  const worker = join(root, 'packages', 'cli', 'dist', 'scan-file.worker.js');
  if (existsSync(worker)) {
    process.env.DAC_SCAN_WORKER = worker;
    const j1 = await bestOf(1, () => runScan(prepared, logsTwo, { jobs: 1 }));
    const j2 = await bestOf(1, () => runScan(prepared, logsTwo, { jobs: 2 }));
    const same = JSON.stringify(j1.value.hits) === JSON.stringify(j2.value.hits);
    const n = j1.value.summary.events;
    console.log(
      `two such logs, wall:    1 thread ${j1.wall.toFixed(2)} s (${eventsPerSecond(n, j1.wall)}), 2 threads ${j2.wall.toFixed(2)} s (${eventsPerSecond(n, j2.wall)}); same results: ${same}`,
    );
    if (!same) process.exitCode = 1;
  } else console.log('2 threads: skipped (no packages/cli/dist/scan-file.worker.js; run npm run build)');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
