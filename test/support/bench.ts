// What the benches share: the shared EVTX captures (../shared/data/evtx) and a CPU profile of a
// piece of work (node:inspector), written for `python3`/DevTools reading. Benches skip cleanly
// when ../shared is absent, so the file list is undefined then.
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The .evtx files below `dir`, sorted, with their total size; undefined when `dir` does not exist. */
export function evtxFilesUnder(dir: string): { files: string[]; bytes: number } | undefined {
  if (!existsSync(dir)) return undefined;
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.toLowerCase().endsWith('.evtx')) files.push(p);
    }
  };
  walk(dir);
  files.sort();
  return { files, bytes: files.reduce((a, f) => a + statSync(f).size, 0) };
}

/**
 * The shared EVTX captures (../shared/data/evtx beside the repository root, DAC_REPO_ROOT or the
 * working folder); without them the bench prints why it skipped and the process exits 0.
 */
export function sharedEvtxCorpusOrSkip(): { files: string[]; bytes: number } {
  const root = process.env.DAC_REPO_ROOT ?? process.cwd();
  const corpus = join(root, '..', 'shared', 'data', 'evtx');
  const found = evtxFilesUnder(corpus);
  if (!found) {
    console.log(`skipped: no EVTX corpus at ${corpus}`);
    process.exit(0);
  }
  return found;
}

/** Runs `work` under the V8 sampling profiler (`intervalUs` between samples) and writes the .cpuprofile to `file`. */
export async function writeCpuProfile(file: string, intervalUs: number, work: () => Promise<unknown>): Promise<void> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  await work();
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(file, JSON.stringify(profile));
  session.disconnect();
}

/** CPU seconds (user + system) of this process since `t0`. */
export function cpuSecondsSince(t0: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1e6;
}

/**
 * Runs `f` `runs` times (a GC first when exposed, as `npm run bench` does): the least CPU seconds
 * and the least wall seconds of the runs, and the last run's value.
 */
export async function bestOf<T>(runs: number, f: () => Promise<T>): Promise<{ s: number; wall: number; value: T }> {
  let s = Infinity;
  let wall = Infinity;
  let value: T | undefined;
  for (let i = 0; i < runs; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = process.cpuUsage();
    const w0 = performance.now();
    value = await f();
    s = Math.min(s, cpuSecondsSince(t0));
    wall = Math.min(wall, (performance.now() - w0) / 1000);
  }
  return { s, wall, value: value as T };
}

/** `n` events over `s` seconds as printed by the benches: `12,345 events/s`. */
export function eventsPerSecond(n: number, s: number): string {
  return `${Math.round(n / s).toLocaleString('en')} events/s`;
}
