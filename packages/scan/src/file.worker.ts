// Worker entry (bundled to packages/cli/dist/scan-file.worker.js): prepares the detections of the
// content the main thread sends (its values, not the YAML to read again) once, then scans the log
// files the main thread hands it, one at a time.
import { parentPort, workerData } from 'node:worker_threads';
import type { LogFile } from './logs.js';
import { prepareScan, type WorkerMessage, type WorkerStart } from './run.js';
import { scanFile, scanIndex } from './scan.js';

const port = parentPort!;
const send = (m: WorkerMessage) => port.postMessage(m);
try {
  const start = workerData as WorkerStart;
  const prepared = prepareScan(start.root, { content: start.content });
  const index = scanIndex(prepared.detections);
  port.on('message', (m: { index: number; file: LogFile }) => {
    scanFile(index, m.file).then(
      (result) => send({ index: m.index, result }),
      (e: unknown) => send({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
    );
  });
  send({ ready: true });
} catch (e) {
  send({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
