// Corpus scale (skips without ../shared): the whole ESCU endpoint rule set over the 281 real EVTX
// captures — every log read, every event counted; and on one tactic's captures the indexed scan
// gives exactly the results of pushing every event into every detection (no index).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findLogs, prepareScan, runScan, type PreparedScan } from '@dac/scan';
import { repo } from './content.js';

const content = join(repo, '..', 'shared', 'corpus', 'escu');
const evtx = join(repo, '..', 'shared', 'data', 'evtx');
const present = existsSync(content) && existsSync(evtx);

describe.skipIf(!present)('dac scan over the shared corpus', () => {
  let prepared: PreparedScan;
  beforeAll(() => {
    prepared = prepareScan(content);
  }, 300_000);

  it('reads all 281 EVTX captures with the full rule set', async () => {
    const logs = findLogs([evtx]);
    expect(logs).toHaveLength(281);
    const r = await runScan(prepared, logs, { jobs: 1 });
    expect(r.summary.detections).toBeGreaterThan(1100);
    expect(r.summary.detections + r.summary.notReplayable).toBe(1175);
    // dac reads 10,015 records of these files (docs/replay.md, reference comparison).
    expect(r.summary.events).toBe(10_015);
    expect(r.logs.filter((l) => l.error)).toEqual([]);
    expect(r.summary.fired).toBeGreaterThan(50);
    for (const h of r.hits) expect(prepared.detections.some((d) => d.file === h.detection)).toBe(true);
    console.log(
      `corpus scan: ${r.summary.events} events, ${r.summary.logs} logs, ${r.summary.fired} detections fired, ${r.logs.filter((l) => l.fired.length === 0).length} logs with none, ${r.summary.seconds.toFixed(1)} s`,
    );
  }, 600_000);

  it('indexed scan = every detection on every event (TA0006 credential-access captures)', async () => {
    const logs = findLogs([join(evtx, 'EVTX-to-MITRE-Attack', 'TA0006-Credential Access')]);
    expect(logs.length).toBeGreaterThan(20);
    const indexed = await runScan(prepared, logs, { jobs: 1 });
    const unindexed = await runScan(
      { ...prepared, detections: prepared.detections.map((d) => ({ ...d, keys: {} })) },
      logs,
      { jobs: 1 },
    );
    expect(indexed.hits.length).toBeGreaterThan(0);
    expect(indexed.hits).toEqual(unindexed.hits);
  }, 600_000);
});
