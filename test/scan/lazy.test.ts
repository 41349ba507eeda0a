// Detections built from plain prepared values (lazy.ts: what a scan worker is sent) scan exactly as
// the prepared detections they were taken from: same keys and fields, same hits on every log, the
// same answer over no events (a count, or the failure), and only the detections an event is
// routed to are prepared.
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLogs, lazyScanDetections, plainScan, prepareScan, runScan, splitByBytes } from '@dac/scan';
import fc from 'fast-check';
import { ATEXEC_EVTX, detection, NGROK_SYSMON, writeContent } from './content.js';

function logs() {
  const dir = mkdtempSync(join(tmpdir(), 'dac-scan-lazy-'));
  mkdirSync(join(dir, 'a'));
  copyFileSync(NGROK_SYSMON, join(dir, 'a', 'sysmon.log'));
  copyFileSync(ATEXEC_EVTX, join(dir, 'b.evtx'));
  return findLogs([dir]);
}

describe('lazyScanDetections', () => {
  it('scans as the prepared detections do, preparing only those an event reaches', async () => {
    const root = writeContent({
      'never.yml': detection(11, 'Never Routed', '`sysmon` EventCode=999999 | stats count by host', ['T1000']),
      // `| stats count` over no events gives one row: unconditional on every log.
      'nothing.yml': detection(12, 'Counts Nothing', 'index=none EventCode=424242 | stats count', ['T1001']),
    });
    const prepared = prepareScan(root);
    const files = logs();
    const eager = await runScan(prepared, files, { jobs: 1 });
    // Through a structured clone, as a worker receives them.
    const plain = structuredClone(await plainScan(prepared.now, prepared.detections, prepared.notScanned));
    const lazy = lazyScanDetections(structuredClone(prepared.content), plain);
    // Once prepared, a detection's `open` is the prepared one's (lazy.ts): that tells which were.
    const unprepared = lazy.map((d) => d.open);
    expect(lazy.map((d) => ({ file: d.file, keys: d.keys, fields: d.fields && [...d.fields] }))).toEqual(
      prepared.detections.map((d) => ({ file: d.file, keys: d.keys, fields: d.fields && [...d.fields] })),
    );
    const fromPlain = await runScan({ ...prepared, detections: lazy, notScanned: plain.notScanned }, files, {
      jobs: 1,
    });
    expect(eager.hits.length).toBeGreaterThan(0);
    expect(fromPlain.hits).toEqual(eager.hits);
    expect(fromPlain.logs.map((l) => [l.log, l.events, l.fired, l.error])).toEqual(
      eager.logs.map((l) => [l.log, l.events, l.fired, l.error]),
    );
    // The unconditional `| stats count` counts over no events from the plain value, unprepared.
    expect(fromPlain.hits.some((h) => h.detection === 'detections/endpoint/nothing.yml' && h.unconditional)).toBe(true);
    const built = lazy.filter((d, i) => d.open !== unprepared[i]).map((d) => d.file);
    expect(built).not.toContain('detections/endpoint/never.yml');
    expect(built).not.toContain('detections/endpoint/nothing.yml');
    expect(built).toContain('detections/endpoint/base.yml');
  });

  it('fails over no events as the prepared detection did', async () => {
    const prepared = prepareScan(writeContent());
    const plain = await plainScan(prepared.now, prepared.detections, prepared.notScanned);
    plain.detections[0]!.noEvents = { error: 'boom' };
    const [d] = lazyScanDetections(prepared.content, plain);
    await expect(Promise.resolve(d!.rowsOnNoEvents())).rejects.toThrow('boom');
  });
});

describe('splitByBytes', () => {
  it('cuts items into n consecutive runs, in order', () => {
    const files = logs().map((l) => ({ path: l.path }));
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...files, { path: '/nonexistent' }), { maxLength: 20 }),
        fc.integer({ min: 1, max: 4 }),
        (items, n) => {
          const runs = splitByBytes(items, n);
          expect(runs).toHaveLength(n);
          expect(runs.flat()).toEqual(items);
        },
      ),
    );
  });
});
