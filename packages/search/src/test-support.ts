/**
 * Hand-written data for this package's property tests (dead-prefix, passes): a data-model
 * provider where an event's `kind` tells its data set (proc: Endpoint.Processes, file:
 * Endpoint.Filesystem; the event's own fields are its row, as tstats reads them), a prepare
 * helper and an arbitrary of such events.
 */
import { builtinMacros, parseSearch } from '@dac/spl';
import fc from 'fast-check';
import { prepareSearch, type SearchPlan } from './prepare.js';
import type { DataModelProvider, Event, Row } from './types.js';

export const kindDataModels: DataModelProvider = {
  dataset(req) {
    const name = `${req.model}.${req.path.join('.') || req.fieldPrefixes[0]}`;
    const kind = name === 'Endpoint.Processes' ? 'proc' : name === 'Endpoint.Filesystem' ? 'file' : undefined;
    if (!kind) return { error: `no data set ${name}` };
    const rowsOf = (e: Event): Row[] => (e.kind === kind ? [e as Row] : []);
    return {
      name,
      rows: (events) =>
        (function* () {
          const evs = typeof events === 'function' ? events() : events;
          for (const e of evs as Iterable<Event>) yield* rowsOf(e);
        })(),
      rowsOf,
    };
  },
};

/** The plan of `spl` over `kindDataModels` (now = 1000); throws when it is not replayable. */
export function preparedOverKinds(spl: string): SearchPlan {
  const p = parseSearch(spl, builtinMacros());
  const r = prepareSearch(p.pipeline, { now: 1000, dataModels: kindDataModels });
  if (!r.ok) throw new Error(`${spl}: ${r.notReplayable.reason}`);
  return r.plan;
}

export const kindEvent: fc.Arbitrary<Event> = fc.record({
  _time: fc.integer({ min: 0, max: 50 }),
  kind: fc.constantFrom('proc', 'file'),
  guid: fc.constantFrom('g1', 'g2', 'G1'),
  name: fc.constantFrom('cmd.exe', 'a.dll', 'x', '3'),
  n: fc.constantFrom('1', '5', 'x'),
});
