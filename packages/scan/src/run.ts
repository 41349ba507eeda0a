/**
 * A whole scan: prepare the detections of a content tree, scan every log file, sum up. With
 * `jobs` > 1 (and a bundled worker script beside this module), files are handed out one at a time
 * to this thread and `jobs − 1` worker threads, each holding its own prepared detections; results
 * are merged in log order, so the output does not depend on the thread count.
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ContentTree } from '@dac/content';
import type { CompiledPredicateHook } from '@dac/search';
import type { LogFile } from './logs.js';
import { scanFile, scanIndex, type FileScan } from './scan.js';
import { scanDetections } from './detections.js';
import { loadScanContent, scanContentOf, type ScanContent } from './content.js';
import type { NotScanned, ScanDetection, ScanResult } from './types.js';

export interface PreparedScan {
  root: string;
  /** What the detections were prepared from: a worker thread prepares its own from it. */
  content: ScanContent;
  detections: ScanDetection[];
  notScanned: NotScanned[];
  prepareSeconds: number;
}

/**
 * Loads the content tree at `root` (unless given the tree, or its scan content) and prepares
 * every detection for scanning.
 */
export function prepareScan(
  root: string,
  opts: {
    compiledPredicateFor?: (file: string) => CompiledPredicateHook | undefined;
    tree?: ContentTree;
    content?: ScanContent;
  } = {},
): PreparedScan {
  const t0 = performance.now();
  const content = opts.content ?? (opts.tree ? scanContentOf(opts.tree) : loadScanContent(root));
  const { detections, notScanned } = scanDetections(content, { compiledPredicateFor: opts.compiledPredicateFor });
  return { root, content, detections, notScanned, prepareSeconds: (performance.now() - t0) / 1000 };
}

/** What a scan worker is started with: it prepares the detections of `content` itself. */
export interface WorkerStart {
  root: string;
  content: ScanContent;
}

/**
 * Below this many bytes of logs the default (no --jobs) scans in this thread: each worker
 * prepares the whole rule set again (~2.5–3 s CPU for the 1,147 ESCU detections), and on the
 * shared corpus (54 MB of EVTX) a second thread made the scan slower (docs/scan.md).
 */
export const WORKER_MIN_BYTES = 128 * 1024 * 1024;

export interface ScanOptions {
  /**
   * Threads (this one + jobs − 1 workers). Default: `availableParallelism()` when the logs
   * hold at least WORKER_MIN_BYTES, else 1.
   */
  jobs?: number;
  /** With workers: whether this thread scans files too (default true; false: workers only). */
  scanInThread?: boolean;
  /** After each file. */
  onProgress?(done: number, total: number, log: string): void;
}

/** The bundled worker (packages/cli/dist/scan-file.worker.js, or DAC_SCAN_WORKER); undefined from sources. */
export function scanWorkerEntry(): URL | undefined {
  const forced = process.env.DAC_SCAN_WORKER;
  if (forced) return existsSync(forced) ? pathToFileURL(forced) : undefined;
  try {
    if (import.meta.url.endsWith('.ts')) return undefined;
    const url = new URL('./scan-file.worker.js', import.meta.url);
    return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : undefined;
  } catch {
    return undefined;
  }
}

export type WorkerMessage = { ready: true } | { index: number; result: FileScan } | { error: string };

/** Scans `logs` with the prepared detections; results in log order. */
export async function runScan(
  prepared: PreparedScan,
  logs: readonly LogFile[],
  opts: ScanOptions = {},
): Promise<ScanResult> {
  const t0 = performance.now();
  const index = scanIndex(prepared.detections);
  const results: (FileScan | undefined)[] = new Array(logs.length);
  let next = 0;
  let done = 0;
  const finished = (i: number, r: FileScan) => {
    results[i] = r;
    done++;
    opts.onProgress?.(done, logs.length, logs[i]!.log);
  };
  const bytes = () => logs.reduce((a, l) => a + (existsSync(l.path) ? statSync(l.path).size : 0), 0);
  const wanted = opts.jobs ?? (bytes() >= WORKER_MIN_BYTES ? availableParallelism() : 1);
  const jobs = Math.max(1, Math.min(wanted, logs.length));
  const entry = jobs > 1 ? scanWorkerEntry() : undefined;
  const workers: Promise<void>[] = [];
  if (entry)
    for (let w = 1; w < jobs; w++)
      workers.push(
        new Promise<void>((resolvePromise, reject) => {
          const start: WorkerStart = { root: prepared.root, content: prepared.content };
          const worker = new Worker(entry, { workerData: start });
          let current = -1;
          const give = () => {
            if (next >= logs.length) {
              void worker.terminate();
              resolvePromise();
              return;
            }
            current = next++;
            worker.postMessage({ index: current, file: logs[current] });
          };
          worker.on('message', (m: WorkerMessage) => {
            if ('ready' in m) give();
            else if ('error' in m) {
              void worker.terminate();
              reject(new Error(`scan worker failed: ${m.error}`));
            } else {
              finished(m.index, m.result);
              current = -1;
              give();
            }
          });
          worker.once('error', reject);
          worker.once('exit', (code) => {
            if (current >= 0)
              reject(new Error(`scan worker exited with code ${code} while scanning ${logs[current]!.log}`));
            else resolvePromise();
          });
        }),
      );
  while ((workers.length === 0 || opts.scanInThread !== false) && next < logs.length) {
    const i = next++;
    finished(i, await scanFile(index, logs[i]!));
  }
  await Promise.all(workers);
  const scans = results as FileScan[];
  const hits = scans.flatMap((s) => s.hits);
  const reports = scans.map((s) => s.report);
  return {
    hits,
    logs: reports,
    detections: prepared.detections,
    notScanned: prepared.notScanned,
    summary: {
      events: reports.reduce((a, r) => a + r.events, 0),
      logs: reports.length,
      detections: prepared.detections.length,
      fired: new Set(hits.filter((h) => !h.unconditional).map((h) => h.detection)).size,
      unconditional: new Set(hits.filter((h) => h.unconditional).map((h) => h.detection)).size,
      seconds: (performance.now() - t0) / 1000,
      prepareSeconds: prepared.prepareSeconds,
      notReplayable: prepared.notScanned.length,
    },
  };
}
