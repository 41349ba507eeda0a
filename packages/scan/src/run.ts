/**
 * A whole scan: prepare the detections of a content tree, scan every log file, sum up. With
 * `jobs` > 1 (and a bundled worker script beside this module), this thread and `jobs − 1` worker
 * threads claim the files one at a time, largest first, each thread holding its own prepared
 * detections; results are merged in log order, so the output does not depend on the thread count.
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ContentTree } from '@dac/content';
import type { CompiledPredicateHook } from '@dac/search';
import type { LogFile } from './logs.js';
import { scanFile, scanIndex, type FileScan } from './scan.js';
import { scanContext, scanDetections } from './detections.js';
import { loadYamlValuesOf, YamlValueCache, type YamlValues } from '@dac/content';
import {
  loadScanContent,
  scanContentOf,
  scanContentOfValues,
  scanEntries,
  type ScanContent,
  type ScanEntries,
} from './content.js';
import { lazyScanDetections, plainScan, type PlainScan } from './lazy.js';
import type { NotScanned, ScanDetection, ScanResult } from './types.js';

export interface PreparedScan {
  root: string;
  /** What the detections were prepared from: a worker thread prepares its own from it. */
  content: ScanContent;
  detections: ScanDetection[];
  notScanned: NotScanned[];
  /** Epoch seconds the searches were prepared with (`now()`, relative times): workers use the same. */
  now: number;
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
  const now = Date.now() / 1000;
  const { detections, notScanned } = scanDetections(content, { now, compiledPredicateFor: opts.compiledPredicateFor });
  return { root, content, detections, notScanned, now, prepareSeconds: (performance.now() - t0) / 1000 };
}

/** The plain values of a prepared scan, computed once per PreparedScan (what workers are sent). */
const plainOf = new WeakMap<PreparedScan, Promise<PlainScan>>();
function plainScanOf(prepared: PreparedScan): Promise<PlainScan> {
  let p = plainOf.get(prepared);
  if (!p) plainOf.set(prepared, (p = plainScan(prepared.now, prepared.detections, prepared.notScanned)));
  return p;
}

/**
 * Below this many bytes of logs the default (no --jobs) scans in this thread: each thread scans
 * with cold code (~1.1 s CPU of first-use and JIT cost per thread on the ESCU corpus, which a
 * warm thread scans in ~1.25 s), so a second thread pays only when its share of the scan and of
 * the preparation outweighs its start (docs/scan.md).
 */
export const WORKER_MIN_BYTES = 16 * 1024 * 1024;

/** What the default thread count looks at: the cores, and how many of them are busy. */
export interface MachineLoad {
  /** availableParallelism(). */
  cores: number;
  /** The 1-minute load average (os.loadavg()[0]; 0 where the platform has none). */
  load: number;
}

function machineLoad(): MachineLoad {
  return { cores: availableParallelism(), load: loadavg()[0] ?? 0 };
}

export interface ScanOptions {
  /** Threads (this one + jobs − 1 workers). Default: scanJobs's. */
  jobs?: number;
  /** With workers: whether this thread scans files too (default true; false: workers only). */
  scanInThread?: boolean;
  /** Workers already started over these logs (startScanWorkers); `jobs` is then not read. */
  workers?: ScanWorkers;
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

/** The size of a log file in bytes (0 when it cannot be read: its scan reports why). */
function fileBytes(l: LogFile): number {
  return existsSync(l.path) ? statSync(l.path).size : 0;
}

/**
 * The log files of a scan in the order threads claim them, largest first (so that the last files
 * claimed are small and the threads finish together), through a counter in shared memory: a
 * worker claims its next file itself, without waiting for this thread to hand it one (this thread
 * is busy scanning its own file then).
 */
export class LogQueue {
  constructor(
    /** Log indices in claim order. */
    readonly order: readonly number[],
    /** How many have been claimed (one Int32 in a SharedArrayBuffer shared with the workers). */
    readonly claimed: Int32Array = new Int32Array(new SharedArrayBuffer(4)),
  ) {}

  /** The queue of `logs`, largest file first (ties and unreadable files: log order). */
  static bySize(logs: readonly LogFile[]): LogQueue {
    const size = logs.map(fileBytes);
    return new LogQueue(logs.map((_, i) => i).sort((a, b) => size[b]! - size[a]! || a - b));
  }

  /** The next log index to scan, or undefined when every file has been claimed. */
  claim(): number | undefined {
    const k = Atomics.add(this.claimed, 0, 1);
    return k < this.order.length ? this.order[k] : undefined;
  }
}

/** What a scan worker is started with (workerData): the logs and the shared queue. */
export interface WorkerStart {
  root: string;
  logs: readonly LogFile[];
  order: readonly number[];
  claimed: Int32Array;
}

/**
 * What a worker is then sent (one message): the content and the prepared detections as plain
 * values; it builds each detection's plan on first use (lazy.ts), then claims files.
 */
export interface WorkerDetections {
  /** Absent when the worker was sent it with WorkerPrepare. */
  content?: ScanContent;
  plain: PlainScan;
}

/**
 * What a worker is asked to do before scanning: load some content entries (loadScanContentIn),
 * or prepare the detections `from`–`to` of the content and send their plain values (prepareScanIn).
 */
export type WorkerTask =
  | { load: { root: string; limits: ScanEntries['limits']; paths: string[] } }
  | { prepare: { content: ScanContent; now: number; from: number; to: number } };

export type WorkerMessage =
  | { loaded: YamlValues[] }
  | { preparedPart: PlainScan }
  | { scanning: number }
  | { index: number; result: FileScan }
  | { done: true }
  | { error: string };

/** Worker threads scanning the files of a LogQueue (startScanWorkers). */
export interface ScanWorkers {
  logs: readonly LogFile[];
  queue: LogQueue;
  /** Sets where results go (those that came before are handed over at once). */
  onResult(f: (index: number, result: FileScan) => void): void;
  /** How many worker threads. */
  threads: number;
  /** Has worker `thread` load these content files (loadYamlValuesOf) and give their values. */
  load(
    thread: number,
    root: string,
    limits: ScanEntries['limits'],
    files: readonly { path: string }[],
  ): Promise<YamlValues[]>;
  /**
   * Has worker `thread` prepare the detections `from`–`to` of `content` at `now` (it keeps them,
   * and the content) and give their plain values.
   */
  prepare(thread: number, content: ScanContent, now: number, from: number, to: number): Promise<PlainScan>;
  /**
   * Sends the workers the prepared detections (once; later calls return the first send): until
   * then they wait, their code loaded. Rejects when `prepared` is not the one first sent.
   */
  send(prepared: PreparedScan): Promise<void>;
  /** Settles when every worker has found the queue empty; rejects on a worker's failure. */
  finished: Promise<void>;
}

/**
 * The thread count of a scan of `logs`: `jobs`; by default 1 below WORKER_MIN_BYTES of logs, else
 * one per two idle cores (the cores less the 1-minute load average; at least 1). A cold scan
 * thread keeps about two cores busy: V8's optimising compiler runs beside it on the platform's
 * threads (ESCU corpus, `-j 1`: 3.1 s CPU on the main thread and 2.3–2.7 s on the 4 platform
 * threads, the same with --single-threaded-gc: compilation, not GC; `-j 2`: ~4.1 s there, a second
 * isolate compiles the same code again). So on 2 cores a second thread has no core of its own,
 * and on busy cores it only adds its cold start.
 */
export function scanJobs(logs: readonly LogFile[], jobs?: number, machine: MachineLoad = machineLoad()): number {
  const bytes = () => logs.reduce((a, l) => a + fileBytes(l), 0);
  const idlePairs = () => Math.floor((machine.cores - Math.max(0, machine.load)) / 2);
  const wanted = jobs ?? (bytes() >= WORKER_MIN_BYTES ? Math.min(machine.cores, Math.max(1, idlePairs())) : 1);
  return Math.max(1, Math.min(wanted, logs.length));
}

/**
 * Starts `jobs − 1` worker threads over `logs` (none when jobs ≤ 1 or without the bundled worker
 * script). Each loads its code at once — start them before loading and preparing the content, so
 * that this runs while this thread reads the YAML — then waits for the prepared detections
 * (ScanWorkers.send, which runScan calls) and scans the files it claims.
 */
export function startScanWorkers(root: string, logs: readonly LogFile[], jobs: number): ScanWorkers | undefined {
  const entry = jobs > 1 ? scanWorkerEntry() : undefined;
  if (!entry) return undefined;
  const queue = LogQueue.bySize(logs);
  const early: [number, FileScan][] = [];
  let deliver: (i: number, r: FileScan) => void = (i, r) => void early.push([i, r]);
  const start: WorkerStart = { root, logs, order: queue.order, claimed: queue.claimed };
  const workers: Promise<void>[] = [];
  const threads: Worker[] = [];
  // Per worker: where the answer to the task it was given goes.
  const replies = new Map<number, (m: YamlValues[] | PlainScan) => void>();
  // The workers that hold the content already (sent with a prepare task).
  const hasContent = new Set<number>();
  for (let w = 1; w < jobs; w++)
    workers.push(
      new Promise<void>((resolvePromise, reject) => {
        const worker = new Worker(entry, { workerData: start });
        // Until it is sent the detections, a waiting worker does not keep the process alive
        // (a caller that fails before runScan exits as it would without workers).
        worker.unref();
        threads.push(worker);
        let current = -1;
        let done = false;
        const thread = threads.length - 1;
        worker.on('message', (m: WorkerMessage) => {
          if ('loaded' in m) replies.get(thread)?.(m.loaded);
          else if ('preparedPart' in m) replies.get(thread)?.(m.preparedPart);
          else if ('scanning' in m) current = m.scanning;
          else if ('index' in m) {
            current = -1;
            deliver(m.index, m.result);
          } else if ('done' in m) {
            done = true;
            void worker.terminate();
            resolvePromise();
          } else {
            void worker.terminate();
            reject(new Error(`scan worker failed: ${m.error}`));
          }
        });
        worker.once('error', reject);
        worker.once('exit', (code) => {
          if (!done)
            reject(
              new Error(
                `scan worker exited with code ${code}${current >= 0 ? ` while scanning ${logs[current]!.log}` : ''}`,
              ),
            );
        });
      }),
    );
  const finished = Promise.all(workers).then(() => {});
  finished.catch(() => {});
  let sent: { prepared: PreparedScan; done: Promise<void> } | undefined;
  const task = <T extends YamlValues[] | PlainScan>(t: number, message: WorkerTask) =>
    new Promise<T>((resolveTask, reject) => {
      // Referenced while it works (this thread may have nothing else keeping it alive).
      threads[t]!.ref();
      replies.set(t, (m) => {
        replies.delete(t);
        if (!sent) threads[t]!.unref();
        resolveTask(m as T);
      });
      // A worker that fails (or exits) before replying fails the task.
      finished.catch(reject);
      threads[t]!.postMessage(message);
    });
  return {
    logs,
    queue,
    threads: threads.length,
    load(t, root, limits, files) {
      return task<YamlValues[]>(t, { load: { root, limits, paths: files.map((f) => f.path) } });
    },
    prepare(t, content, now, from, to) {
      hasContent.add(t);
      return task<PlainScan>(t, { prepare: { content, now, from, to } });
    },
    send(prepared) {
      if (sent)
        return sent.prepared === prepared
          ? sent.done
          : Promise.reject(new Error('runScan: the workers were sent other detections'));
      const done = plainScanOf(prepared).then((plain) => {
        threads.forEach((t, i) => {
          const message: WorkerDetections = hasContent.has(i) ? { plain } : { content: prepared.content, plain };
          t.ref();
          t.postMessage(message);
        });
      });
      sent = { prepared, done };
      return done;
    },
    onResult(f) {
      deliver = f;
      for (const [i, r] of early.splice(0)) f(i, r);
    },
    finished,
  };
}

/**
 * The scan content of the tree at `root` (loadScanContent), its YAML read by this thread and the
 * workers side by side when there are workers: the files the cache (YamlValueCache, unless
 * `cache: false`) does not hold are cut into one run per thread, of about equal bytes, in tree
 * order; this thread parses the first, each worker one other (it sends back their values), and
 * the content is made of the values in tree order — the same content as loadScanContent (YAML is
 * most of a cold preparation on the ESCU corpus, and the workers have nothing else to do before
 * the detections are prepared).
 */
export async function loadScanContentIn(
  root: string,
  workers: ScanWorkers | undefined,
  opts: { cache?: boolean } = {},
): Promise<ScanContent> {
  if (!workers || workers.threads === 0) return loadScanContent(root, opts);
  const all = scanEntries(root);
  const cache = opts.cache === false ? undefined : YamlValueCache.open(all.root, all.limits);
  const paths = all.entries.map((e) => e.path);
  const values = cache ? cache.cachedOf(all.root, paths, all.limits) : paths.map(() => undefined);
  const missing = all.entries.map((e, i) => ({ path: e.path, i })).filter(({ i }) => values[i] === undefined);
  if (missing.length > 0) {
    const runs = splitByBytes(missing, workers.threads + 1);
    const theirs = runs
      .slice(1)
      .map((run, t) => (run.length === 0 ? Promise.resolve([]) : workers.load(t, all.root, all.limits, run)));
    const mine = loadYamlValuesOf(
      all.root,
      runs[0]!.map((m) => m.path),
      all.limits,
    );
    const parsed = [mine, ...(await Promise.all(theirs))];
    runs.forEach((run, r) =>
      run.forEach((m, k) => {
        const v = parsed[r]![k]!;
        values[m.i] = cache ? cache.keep(v) : v;
      }),
    );
  }
  cache?.save();
  return scanContentOfValues(all.entries, values as YamlValues[]);
}

/**
 * The detections of `content` prepared by this thread and the workers side by side (with no
 * workers: prepareScan): the detections cut into one consecutive run per thread; this thread
 * prepares the first, each worker another and sends back their plain values (lazy.ts); this
 * thread builds those on first use (lazyScanDetections), as the worker builds the others. The
 * detections and notScanned are in content order, as prepareScan gives them, and every thread
 * prepares at one `now`. (Preparation is ~1.3 s CPU cold on the ESCU corpus.)
 */
export async function prepareScanIn(
  root: string,
  content: ScanContent,
  workers: ScanWorkers | undefined,
): Promise<PreparedScan> {
  if (!workers || workers.threads === 0) return prepareScan(root, { content });
  const t0 = performance.now();
  const now = Date.now() / 1000;
  const n = content.detections.length;
  const runs = workers.threads + 1;
  const cut = (k: number) => Math.round((k * n) / runs);
  const theirs = Array.from({ length: workers.threads }, (_, t) =>
    workers.prepare(t, content, now, cut(t + 1), cut(t + 2)),
  );
  const ctx = scanContext(content);
  const mine = scanDetections({ ...content, detections: content.detections.slice(0, cut(1)) }, { now, ctx });
  const parts = await Promise.all(theirs);
  return {
    root,
    content,
    detections: [...mine.detections, ...parts.flatMap((p) => lazyScanDetections(content, p, { ctx }))],
    notScanned: [...mine.notScanned, ...parts.flatMap((p) => p.notScanned)],
    now,
    prepareSeconds: (performance.now() - t0) / 1000,
  };
}

/** `items` cut into `n` consecutive runs of about equal total file size (a run may be empty). */
export function splitByBytes<T extends { path: string }>(items: readonly T[], n: number): T[][] {
  const size = items.map((e) => (existsSync(e.path) ? statSync(e.path).size : 0));
  const total = size.reduce((a, b) => a + b, 0);
  const runs: T[][] = Array.from({ length: n }, () => []);
  let sum = 0;
  items.forEach((e, i) => {
    // The run whose share of the bytes this item's first byte falls in.
    runs[Math.min(n - 1, Math.floor((sum * n) / Math.max(1, total)))]!.push(e);
    sum += size[i]!;
  });
  return runs;
}

/** Scans `logs` with the prepared detections; results in log order. */
export async function runScan(
  prepared: PreparedScan,
  logs: readonly LogFile[],
  opts: ScanOptions = {},
): Promise<ScanResult> {
  const t0 = performance.now();
  const index = scanIndex(prepared.detections);
  const results: (FileScan | undefined)[] = new Array(logs.length);
  let done = 0;
  const finished = (i: number, r: FileScan) => {
    results[i] = r;
    done++;
    opts.onProgress?.(done, logs.length, logs[i]!.log);
  };
  if (opts.workers && opts.workers.logs !== logs) throw new Error('runScan: the workers were started over other logs');
  const workers = opts.workers ?? startScanWorkers(prepared.root, logs, scanJobs(logs, opts.jobs));
  await workers?.send(prepared);
  workers?.onResult(finished);
  const queue = workers?.queue ?? new LogQueue(logs.map((_, i) => i));
  if (!workers || opts.scanInThread !== false)
    for (let i = queue.claim(); i !== undefined; i = queue.claim()) finished(i, await scanFile(index, logs[i]!));
  await workers?.finished;
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
