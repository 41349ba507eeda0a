// Worker entry (bundled to packages/cli/dist/scan-file.worker.js): started with the logs and the
// shared queue, it loads its code and waits. Asked to (WorkerLoad), it reads part of the content's
// YAML for the main thread. Then it is sent the content and the prepared detections as plain values
// (WorkerDetections) and scans the log files it claims until none are left, preparing a
// detection's plan only when an event is first routed to it (lazy.ts).
import { parentPort, workerData } from 'node:worker_threads';
import type { ContentContext } from '@dac/replay';
import { scanContext, scanDetections } from './detections.js';
import { lazyScanDetections, plainScan } from './lazy.js';
import { loadYamlValuesOf } from '@dac/content';
import type { ScanContent } from './content.js';
import { LogQueue, type WorkerDetections, type WorkerTask, type WorkerMessage, type WorkerStart } from './run.js';
import { scanFile, scanIndex } from './scan.js';
import type { ScanDetection } from './types.js';

const port = parentPort!;
const send = (m: WorkerMessage) => port.postMessage(m);
const start = workerData as WorkerStart;
// What a prepare task left: the content, the context, and the detections this thread prepared.
let kept: { content: ScanContent; ctx: ContentContext; prepared: Map<string, ScanDetection> } | undefined;
const onMessage = async (m: WorkerDetections | WorkerTask) => {
  try {
    if ('load' in m) {
      // Part of the content's YAML, read for the main thread (loadScanContentIn).
      send({ loaded: loadYamlValuesOf(m.load.root, m.load.paths, m.load.limits) });
      return;
    }
    if ('prepare' in m) {
      // Part of the detections, prepared for the main thread (prepareScanIn) and kept for this one.
      const { content, now, from, to } = m.prepare;
      const ctx = scanContext(content);
      const own = scanDetections({ ...content, detections: content.detections.slice(from, to) }, { now, ctx });
      kept = { content, ctx, prepared: new Map(own.detections.map((d) => [d.file, d])) };
      send({ preparedPart: await plainScan(now, own.detections, own.notScanned) });
      return;
    }
    port.off('message', onMessage);
    const content = m.content ?? kept!.content;
    const index = scanIndex(
      lazyScanDetections(content, m.plain, kept ? { ctx: kept.ctx, prepared: kept.prepared } : {}),
    );
    const queue = new LogQueue(start.order, start.claimed);
    for (let i = queue.claim(); i !== undefined; i = queue.claim()) {
      send({ scanning: i });
      send({ index: i, result: await scanFile(index, start.logs[i]!) });
    }
    send({ done: true });
  } catch (e) {
    send({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
};
port.on('message', onMessage);
