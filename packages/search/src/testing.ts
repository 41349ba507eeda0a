/**
 * Test support: parse an SPL string (macros: the CIM built-ins), prepare it, and run it both
 * ways — streaming (`run`, events handed over one by one from an async source) and batch
 * (`runBatch`) and push mode (`openSearch`, events pushed one by one) — asserting the three agree. Used by the unit tests of every command.
 */
import { builtinMacros, parseSearch } from '@dac/spl';
import type { PrepareOptions } from './command.js';
import { collect, prepareSearch, runBatch, type PrepareResult } from './prepare.js';
import { openSearch } from './push.js';
import type { Event, Row, RunWarning } from './types.js';
import { toSplunkRow } from './values.js';

/** Fixed search time of the tests: 2021-01-15T00:00:00Z. */
export const TEST_NOW = 1610668800;

export function prepare(spl: string, options: PrepareOptions = {}): PrepareResult {
  const parsed = parseSearch(spl, builtinMacros());
  const err = parsed.diagnostics.find((d) => d.severity === 'error');
  if (err) throw new Error(`test SPL does not parse: ${err.message}`);
  return prepareSearch(parsed.pipeline, { now: TEST_NOW, ...options });
}

async function* slowly(events: readonly Event[]): AsyncGenerator<Event> {
  for (const e of events) {
    await Promise.resolve();
    yield e;
  }
}

export interface Ran {
  rows: Record<string, string | string[]>[];
  raw: Row[];
  warnings: RunWarning[];
}

/** Runs `spl` over `events` (streaming and batch; they must agree) and returns Splunk-shaped rows. */
export async function runSpl(spl: string, events: readonly Event[] = [], options: PrepareOptions = {}): Promise<Ran> {
  const r = prepare(spl, options);
  if (!r.ok) throw new Error(`not prepared: ${r.notReplayable.reason}`);
  const streamed = await collect(r.plan, () => slowly(events));
  const batch = await runBatch(r.plan, events);
  const rows = streamed.rows.map(toSplunkRow);
  const batchRows = batch.map(toSplunkRow);
  if (JSON.stringify(rows) !== JSON.stringify(batchRows))
    throw new Error(`streaming and batch disagree:\n${JSON.stringify(rows)}\n${JSON.stringify(batchRows)}`);
  const pushed = await openSearch(r.plan);
  for (const e of events) pushed.push(e);
  const pushRows = (await pushed.end()).rows.map(toSplunkRow);
  if (JSON.stringify(rows) !== JSON.stringify(pushRows))
    throw new Error(`streaming and push mode disagree:\n${JSON.stringify(rows)}\n${JSON.stringify(pushRows)}`);
  return { rows, raw: streamed.rows, warnings: streamed.warnings };
}

/** The reason `spl` is not replayable (fails the test if it is). */
export function notReplayable(spl: string, options: PrepareOptions = {}): string {
  const r = prepare(spl, options);
  if (r.ok) throw new Error(`expected "${spl}" not to be replayable`);
  return r.notReplayable.reason;
}
