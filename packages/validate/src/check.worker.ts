// Worker entry (bundled to packages/cli/dist/validate-check.worker.js): loads and checks a shard of
// the content files and returns their diagnostics and the small facts the tree rules need.
import { parentPort, workerData } from 'node:worker_threads';
import { checkEntry, type FileResult } from './check-file.js';
import type { WorkerRequest, WorkerResponse } from './validate.js';

const request = workerData as WorkerRequest;
const disabled = new Set(request.disabled);
let response: WorkerResponse;
try {
  const results: FileResult[] = request.entries.map((entry, i) => {
    const { diagnostics, facts } = checkEntry(entry, {
      settings: request.settings,
      reported: request.reported[i]!,
      enabled: (r) => !disabled.has(r),
    });
    return { diagnostics, facts };
  });
  response = { ok: true, results };
} catch (e) {
  response = { ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}
parentPort!.postMessage(response);
