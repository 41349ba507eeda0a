// Worker entry (bundled to packages/cli/dist/scan-file.worker.js): prepares the detections of the
// content the main thread sends (its values, not the YAML to read again) once, then scans the log
// files it claims from the shared queue until none are left.
import { parentPort, workerData } from 'node:worker_threads';
import { LogQueue, prepareScan, type WorkerMessage, type WorkerStart } from './run.js';
import { scanFile, scanIndex } from './scan.js';

const port = parentPort!;
const send = (m: WorkerMessage) => port.postMessage(m);
const start = workerData as WorkerStart;
try {
  const index = scanIndex(prepareScan(start.root, { content: start.content }).detections);
  const queue = new LogQueue(start.order, start.claimed);
  for (let i = queue.claim(); i !== undefined; i = queue.claim()) {
    send({ scanning: i });
    send({ index: i, result: await scanFile(index, start.logs[i]!) });
  }
  send({ done: true });
} catch (e) {
  send({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
