// The worker-thread path of runScan (used by the bundled CLI with --jobs > 1) gives exactly the
// results of the in-thread path, in log order. Under vitest sources run in-thread, so this test
// bundles the worker entry with esbuild (as scripts/build.mjs does) and points DAC_SCAN_WORKER at it.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findLogs,
  loadScanContent,
  loadScanContentIn,
  prepareScan,
  prepareScanIn,
  runScan,
  scanWorkerEntry,
  startScanWorkers,
} from '@dac/scan';
import { bundleSources } from '../support/bundle-sources.js';
import { ATEXEC_EVTX, NGROK_SYSMON, repo, writeContent } from './content.js';

let out: string;
beforeAll(async () => {
  out = mkdtempSync(join(repo, 'node_modules', '.dac-scan-workers-'));
  await bundleSources({ 'scan-file.worker': join(repo, 'packages/scan/src/file.worker.ts') }, out);
}, 120_000);
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  delete process.env.DAC_SCAN_WORKER;
});

describe('scan worker threads', () => {
  it('two threads give the results of one, in log order', async () => {
    const logs = mkdtempSync(join(tmpdir(), 'dac-scan-workers-'));
    for (let i = 0; i < 6; i++) {
      mkdirSync(join(logs, `d${i}`));
      copyFileSync(i % 2 ? ATEXEC_EVTX : NGROK_SYSMON, join(logs, `d${i}`, i % 2 ? 'a.evtx' : 'sysmon.log'));
    }
    const prepared = prepareScan(writeContent());
    const files = findLogs([logs]);
    const one = await runScan(prepared, files, { jobs: 1 });
    process.env.DAC_SCAN_WORKER = join(out, 'scan-file.worker.js');
    process.env.DAC_ASSETS ??= repo;
    expect(scanWorkerEntry()?.pathname).toBe(join(out, 'scan-file.worker.js'));
    // This thread only hands out files: the worker scans every one.
    const two = await runScan(prepared, files, { jobs: 2, scanInThread: false });
    expect(one.hits.length).toBeGreaterThan(0);
    expect(two.hits).toEqual(one.hits);
    expect(two.logs.map((l) => [l.log, l.events, l.fired])).toEqual(one.logs.map((l) => [l.log, l.events, l.fired]));

    // As dac scan -j 2 runs: the worker started first reads part of the YAML for this thread and
    // prepares part of the detections (this thread builds those on first use from their plain
    // values, the worker the others), with this thread scanning or not.
    const root = writeContent();
    for (const scanInThread of [false, true]) {
      const workers = startScanWorkers(root, files, 2)!;
      // The first round parses every file in the two threads (no YAML cache), the second through the
      // cache (the files it has not seen parsed in the two threads, then kept).
      const content = await loadScanContentIn(root, workers, { cache: scanInThread });
      expect(content).toStrictEqual(loadScanContent(root, { cache: false }));
      const shared = await prepareScanIn(root, content, workers);
      expect(shared.detections.map((d) => [d.file, d.keys])).toEqual(prepared.detections.map((d) => [d.file, d.keys]));
      expect(shared.notScanned).toEqual(prepared.notScanned);
      const three = await runScan(shared, files, { workers, scanInThread });
      expect(three.hits).toEqual(one.hits);
      expect(three.logs.map((l) => [l.log, l.events, l.fired])).toEqual(
        one.logs.map((l) => [l.log, l.events, l.fired]),
      );
    }
  }, 120_000);
});
