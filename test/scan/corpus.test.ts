// Corpus scale (skips without ../shared): the whole ESCU endpoint rule set over the 281 real EVTX
// captures — every log read, every event counted; and on one tactic's captures the indexed scan
// gives exactly the results of pushing every event into every detection (no index); searches that
// read their events more than once give the same results streaming their passes as keeping events.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findLogs, prepareScan, runScan, scanDetections, type PreparedScan, type ScanContent } from '@dac/scan';
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

  it('multi-pass searches (tstats | join [tstats]) stream their passes with the results of keeping the events', async () => {
    const logs = findLogs([evtx]);
    const base = prepared.content;
    const revil = base.detections.find((e) => e.file.endsWith('/revil_registry_entry.yml'));
    const search = revil?.data?.search;
    expect(typeof search).toBe('string');
    // Hand-modified here, not real content: ESCU's REvil registry search (process tstats joined
    // with a registry tstats) with its registry where-clause loosened to every registry event,
    // so that its join finds rows on these captures (no real multi-pass detection fires on them).
    const loosened = (search as string).replace(
      /WHERE \(Registry\.registry_path=.*?\) BY/,
      'WHERE Registry.registry_path="*" BY',
    );
    expect(loosened).not.toBe(search);
    const loose: ScanContent['detections'][number] = {
      file: 'detections/endpoint/revil_registry_entry_loosened_by_test.yml',
      data: Object.assign(structuredClone(revil!.data!), {
        // (The name stays: the filter macro the search calls is named after it.)
        id: 'revil-loosened-by-test',
        search: loosened,
      }),
    };
    const content = { ...base, detections: [...base.detections, loose] };
    const scan = async (keptEvents: number | undefined) =>
      runScan({ ...prepared, content, ...scanDetections(content, { now: prepared.now, keptEvents }) }, logs, {
        jobs: 1,
      });
    const keeping = await scan(undefined);
    // keptEvents 0: every pass runs as the events arrive, no event is kept.
    const streaming = await scan(0);
    expect(keeping.hits.filter((h) => h.detection === loose.file).length).toBeGreaterThan(0);
    expect(streaming.logs.filter((l) => l.error)).toEqual([]);
    expect(streaming.hits).toEqual(keeping.hits);
  }, 600_000);
});
