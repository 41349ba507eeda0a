// Eventtypes and tags of a stream, remembered per signature (the values of the fields the
// searches read), against the plain definition: each eventtype search evaluated by @dac/spl's
// reference interpreter on the event, with `eventtype=X` meaning X matched the event. Hand-written
// knowledge and generated events (labelled as such).
import { evaluateSearch, parsePipeline, type SearchExpr } from '@dac/spl';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SplunkEvent } from './engine.js';
import { StreamEventtypes } from './eventtypes.js';
import type { AddonRef, Eventtype, FieldTag, Knowledge } from './model.js';

const HAND: AddonRef = { id: 'hand-written', title: 'hand-written test knowledge', version: '0', seen: 'this test' };
const et = (name: string, search: string, tags: string[]): Eventtype => ({ name, search, tags, addon: HAND, at: 'h' });
const POOL: Eventtype[] = [
  et('codes', 'EventCode=1 OR EventCode=2', ['c']),
  et('cat', 'TaskCategory="Logon" OR a=x*', ['t', 'c']),
  et('raw', 'error', ['e']),
  et('ref', 'eventtype=cat EventCode=3', ['r']),
  et('notref', 'NOT eventtype=raw a=*', ['n']),
  et('stream', 'source=src', ['s']),
  et('elsewhere', 'source=other', ['o']),
  et('mv', 'b=2 OR b>5', ['m', 't']),
];
const FIELD_TAGS: FieldTag[] = [
  { field: 'a', value: 'X', tags: ['ax'], addon: HAND, at: 'h' },
  { field: 'b', value: '2', tags: ['b2', 'ax'], addon: HAND, at: 'h' },
];
// Several tags of one field (grouped by field, remembered by its last value), interleaved with
// another field's; and a tag of a `tag::` field, which reads what an earlier tag wrote.
const FIELD_TAGS_MORE: FieldTag[] = [
  ...FIELD_TAGS,
  { field: 'a', value: 'xy', tags: ['axy', 'ax'], addon: HAND, at: 'h' },
  { field: 'EventCode', value: '3', tags: ['c3'], addon: HAND, at: 'h' },
  { field: 'a', value: 'x', tags: ['ax2'], addon: HAND, at: 'h' },
];
const FIELD_TAGS_OF_TAGS: FieldTag[] = [
  ...FIELD_TAGS_MORE,
  { field: 'tag::a', value: 'ax', tags: ['meta'], addon: HAND, at: 'h' },
];
const KNOWN = { sourcetype: 'st', source: 'src', index: 'main' };

function searchOf(e: Eventtype): SearchExpr {
  const c = parsePipeline(e.search).pipeline.commands[0];
  if (c?.kind !== 'search' || !c.expr) throw new Error(e.search);
  return c.expr;
}

/** The plain definition: which eventtypes match, each evaluated with the ones it refers to decided first. */
function plainEventtypes(ets: Eventtype[], ev: SplunkEvent): Set<string> {
  const memo = new Map<string, boolean>();
  const matches = (e: Eventtype): boolean => {
    let r = memo.get(e.name);
    if (r !== undefined) return r;
    const refs = ets.filter((o) => o !== e && e.search.includes(`eventtype=${o.name}`));
    const withRefs = { ...KNOWN, ...ev, eventtype: refs.filter(matches).map((o) => o.name) };
    r = evaluateSearch(searchOf(e), withRefs);
    memo.set(e.name, r);
    return r;
  };
  return new Set(ets.filter(matches).map((e) => e.name));
}

const asList = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [String(v)]);

describe('stream eventtypes', () => {
  it('remembered per signature: the same fields as a fresh computation, and the plain definition', () => {
    const value = (vs: (string | string[] | undefined)[]) => fc.constantFrom(...vs);
    const event = fc.record({
      EventCode: value(['1', '2', '3', undefined, ['1', '3']]),
      TaskCategory: value(['Logon', 'logon', undefined]),
      a: value(['x', 'xy', 'z', undefined, ['z', 'X']]),
      b: value(['2', '7', '1', undefined]),
      _raw: value(['an error here', 'ok', 'ERROR:', 'errors']),
    });
    fc.assert(
      fc.property(
        fc.subarray(POOL, { minLength: 1 }),
        fc.array(event, { minLength: 1, maxLength: 30 }),
        fc.constantFrom(FIELD_TAGS, FIELD_TAGS_MORE, FIELD_TAGS_OF_TAGS),
        (ets, evs, tagsOfFields) => {
          const knowledge: Knowledge = { inputs: [], stanzas: [], eventtypes: ets, fieldTags: tagsOfFields };
          const remembered = new StreamEventtypes(knowledge, KNOWN, []);
          for (const e of evs) {
            const ev = Object.assign(Object.create(null), e) as SplunkEvent;
            for (const k of Object.keys(ev)) if (ev[k] === undefined) delete ev[k];
            const fresh = Object.assign(Object.create(null), ev) as SplunkEvent;
            remembered.addTo(ev);
            new StreamEventtypes(knowledge, KNOWN, []).addTo(fresh);
            // The same fields in the same order (remembered answers, grouped field tags).
            expect(Object.entries(ev)).toEqual(Object.entries(fresh));
            const names = plainEventtypes(ets, e as SplunkEvent);
            expect(new Set(asList(ev.eventtype))).toEqual(names);
            const etTags = new Set(ets.filter((x) => names.has(x.name)).flatMap((x) => x.tags));
            expect(new Set(asList(ev['tag::eventtype']))).toEqual(etTags);
            if (tagsOfFields === FIELD_TAGS_OF_TAGS) continue;
            const fieldTags = tagsOfFields.filter((ft) =>
              asList(e[ft.field as 'a']).some((v) => v.toLowerCase() === ft.value.toLowerCase()),
            );
            expect(new Set(asList(ev.tag))).toEqual(new Set([...etTags, ...fieldTags.flatMap((ft) => ft.tags)]));
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
