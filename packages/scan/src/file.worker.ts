// Worker entry (bundled to packages/cli/dist/scan-file.worker.js): started with the logs and the
// shared queue, it loads its code and waits. Asked to (WorkerLoad), it reads part of the content's
// YAML for the main thread. Then it is sent the content and the prepared detections as plain values
// (WorkerDetections) and scans the log files it claims until none are left, preparing a
// detection's plan only when an event is first routed to it (lazy.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { lazyScanDetections } from './lazy.js';
import { loadScanEntries } from './content.js';
import { LogQueue, type WorkerDetections, type WorkerLoad, type WorkerMessage, type WorkerStart } from './run.js';
import { scanFile, scanIndex } from './scan.js';

const port = parentPort!;
const send = (m: WorkerMessage) => port.postMessage(m);
const start = workerData as WorkerStart;
const onMessage = async (m: WorkerDetections | WorkerLoad) => {
  if ('load' in m) {
    // Part of the content's YAML, read for the main thread (loadScanContentIn).
    try {
      send({ loaded: loadScanEntries(m.load, m.load.entries) });
    } catch (e) {
      send({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
    return;
  }
  port.off('message', onMessage);
  const { content, plain } = m;
  try {
    const index = scanIndex(lazyScanDetections(content, plain));
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
