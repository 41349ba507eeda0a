// The rule index never drops a match: on random small rule sets (real search expressions parsed
// by @dac/spl, keys derived by `necessaryClauses` and `necessaryExclusions`) over random events,
// routing each event through the index and evaluating only the candidates finds exactly the
// (event, detection) matches of evaluating every detection on every event with @dac/spl's
// reference interpreter. Detections read the event (a base search), its rows in a data set (a
// leading tstats), or both (a join), or need the event in one of a list of data sets (none, one
// or two). And the index gives exactly the detections whose keys hold, by a plain evaluation of
// the keys that uses no part of the index (`keysHold`).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SplunkEvent } from '@dac/normalise';
import { evaluateSearch, parsePipeline, wildcardMatch, type SearchExpr } from '@dac/spl';
import { defaultFieldKey } from '@dac/search';
import { RuleIndex, valuesKey } from './rule-index.js';
import { necessaryClauses, necessaryExclusions } from './keys.js';
import { foldValue } from './term-matcher.js';
import type { IndexClause, IndexExclusion, IndexKeys, PassKeys, ScanDetection } from './types.js';

/** The keys of a detection whose one pass is a base search. */
function keysOfSearch(e: SearchExpr | undefined): IndexKeys {
  const clauses = necessaryClauses(e);
  return clauses.length > 0 ? { passes: [{ clauses }] } : {};
}

const SOURCETYPES = ['XmlWinEventLog', 'xmlwineventlog', 'nxlog:json'];
const SOURCES = ['XmlWinEventLog:Security', 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational', 'nxlog'];
const CODES = ['1', '3', '4688', '4104', '01'];
const WORDS = ['cmd.exe', 'CMD.EXE', 'powershell.exe', 'x', ''];
const ETS = ['wineventlog_security', 'ms-sysmon-process', 'other'];
const CMDS = ['cmd /c whoami', 'powershell -ENC aGk=', 'C:\\a\\b.exe', 'x', '', 'Σa ς'];
const TAGS = ['process', 'report', 'network'];
const CMD_PATTERNS = ['*-enc*', 'cmd*', '*.exe', '*c*w*', '*', 'x', '*/C *', '"*Σ*"', 'c*d*i'];

const value = (vals: string[]) => fc.constantFrom(...vals);
/** A term of the search language over the event fields the generator fills. */
const atom = fc.oneof(
  value(SOURCETYPES).map((v) => `sourcetype=${v}`),
  value(SOURCES).map((v) => `source="${v}"`),
  value(['XmlWinEventLog*', '*Sysmon*', 'nx*']).map((v) => `source="${v}"`),
  value(CODES).map((v) => `EventCode=${v}`),
  fc.array(value(CODES), { minLength: 1, maxLength: 3 }).map((vs) => `EventCode IN (${vs.join(', ')})`),
  value(WORDS.filter((w) => w)).map((v) => `Image=${v}`),
  value(['*.exe', 'cmd*']).map((v) => `Image="${v}"`),
  value(ETS).map((v) => `eventtype=${v}`),
  value(CODES).map((v) => `EventCode!=${v}`),
  value(CODES).map((v) => `NOT EventCode=${v}`),
  value(CODES).map((v) => `EventCode>${v}`),
  value(CMD_PATTERNS).map((v) => `CommandLine=${v.startsWith('"') ? v : `"${v}"`}`),
  fc
    .array(value(CMD_PATTERNS), { minLength: 1, maxLength: 3 })
    .map((vs) => `CommandLine IN (${vs.map((v) => (v.startsWith('"') ? v : `"${v}"`)).join(', ')})`),
  value(WORDS.filter((w) => w)).map((v) => `Image=CASE(${v})`),
  fc.constant('earliest=-24h'),
);
/** A term of a tstats where-clause over the rows of the data set DS. */
const rowAtom = fc.oneof(
  value(WORDS.filter((w) => w)).map((v) => `DS.process_name=${v}`),
  value(['*.exe', 'cmd*', '*']).map((v) => `DS.process_name="${v}"`),
  value(CMD_PATTERNS.filter((v) => !v.startsWith('"'))).map((v) => `DS.process="${v}"`),
  value(WORDS.filter((w) => w)).map((v) => `DS.process!=${v}`),
  value([...CMDS, 'CMD /C WHOAMI', '*']).map((v) => `DS.process!="${v}"`),
  value([...WORDS, ...CMD_PATTERNS.filter((v) => !v.startsWith('"'))]).map((v) => `DS.process_name!="${v}"`),
  value(CMD_PATTERNS.filter((v) => !v.startsWith('"'))).map((v) => `NOT DS.process="${v}"`),
  fc
    .array(value([...WORDS.filter((w) => w), '*.exe', 'cmd*', 'Σa*', '*']), { minLength: 1, maxLength: 3 })
    .map((vs) => `NOT DS.process_name IN (${vs.map((v) => `"${v}"`).join(', ')})`),
  value(WORDS.filter((w) => w)).map((v) => `DS.process_name!=CASE(${v})`),
  value(SOURCES).map((v) => `source="${v}"`),
);
/** Search expressions over `leaf` terms: AND, OR and NOT, nested. */
const expressionOf = (leaf: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.letrec<{ e: string }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.tuple(tie('e'), tie('e')).map(([a, b]) => `(${a} ${b})`),
      fc.tuple(tie('e'), tie('e')).map(([a, b]) => `(${a} OR ${b})`),
      tie('e').map((a) => `NOT (${a})`),
    ),
  })).e;
const rowSearch = expressionOf(rowAtom);
const search = expressionOf(atom);

const event: fc.Arbitrary<SplunkEvent> = fc.record(
  {
    sourcetype: value(SOURCETYPES),
    source: value(SOURCES),
    EventCode: fc.oneof(value(CODES), fc.array(value(CODES), { minLength: 2, maxLength: 3 })),
    Image: value(WORDS),
    eventtype: fc.oneof(value(ETS), fc.array(value(ETS), { minLength: 2, maxLength: 2 })),
    CommandLine: fc.oneof(value(CMDS), fc.array(value(CMDS), { minLength: 2, maxLength: 3 })),
    // What the data set DS's membership reads (its rows come with the event when it is a member).
    tag: fc.oneof(value(TAGS), fc.array(value(TAGS), { maxLength: 3 })),
  },
  { requiredKeys: ['sourcetype', 'source'] },
) as fc.Arbitrary<SplunkEvent>;
/** Membership of DS: a `process` tag (a function of the `tag` field alone, as a constraint search is); of DS2: `network`. */
const inDS = (ev: SplunkEvent) => [ev.tag ?? []].flat().includes('process');
const inDataSet = (ev: SplunkEvent, ds: string) => [ev.tag ?? []].flat().includes(ds === 'DS' ? 'process' : 'network');
/** Data-set lists of a pass that needs the event in one of them (none: no event meets it). */
const DATA_SET_LISTS = [[], ['DS'], ['DS2'], ['DS', 'DS2'], ['DS2', 'DS']];
/** An event's rows in DS (none: not a member), carrying its source as data-set rows do. */
const rowsOf = fc.array(
  fc.record(
    {
      process_name: value(WORDS),
      process: fc.oneof(value(CMDS), fc.array(value(CMDS), { minLength: 0, maxLength: 2 })),
    },
    { requiredKeys: [] },
  ),
  { maxLength: 2 },
);

/** A pass: a search over the event, over its rows in DS, or over the event in one of some data sets. */
type Spec = { on: 'events' | 'rows'; text: string } | { on: 'sets'; text: string; sets: string[] };
/** A detection: its passes' searches (over the event or over its rows in DS). */
const detectionOf: fc.Arbitrary<Spec[]> = fc.oneof(
  search.map((e) => [{ on: 'events' as const, text: e }]),
  rowSearch.map((e) => [{ on: 'rows' as const, text: e }]),
  // One row term alone: the single negations and multivalue rows meet often.
  rowAtom.map((e) => [{ on: 'rows' as const, text: e }]),
  fc.tuple(search, rowSearch).map(([a, b]) => [
    { on: 'events' as const, text: a },
    { on: 'rows' as const, text: b },
  ]),
  fc
    .tuple(search, fc.constantFrom(...DATA_SET_LISTS), fc.option(rowSearch, { nil: undefined }))
    .map(([a, sets, b]) => [
      { on: 'sets' as const, text: a, sets },
      ...(b === undefined ? [] : [{ on: 'rows' as const, text: b }]),
    ]),
);

/** Whether a value (one of a field's) matches a pattern as the index's matcher says (Σ patterns: any value). */
function termHolds(v: unknown, pattern: string): boolean {
  const lower = pattern.toLowerCase();
  const one = (x: unknown) =>
    (typeof x === 'string' || typeof x === 'number') && (/[σς]/.test(lower) || wildcardMatch(foldValue(x), lower));
  return Array.isArray(v) ? v.some(one) : one(v);
}
const clauseHolds = (cl: IndexClause, r: Record<string, unknown>) => cl.some((t) => termHolds(r[t.field], t.value));
/** An exclusion on a row, as its definition says (types.ts IndexExclusion). */
function exclusionHolds(x: IndexExclusion, r: Record<string, unknown>): boolean {
  const v = r[x.field];
  const values = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  const matches = (y: unknown) => x.values.some((p) => termHolds(y, p));
  return x.present ? values.some((y) => !matches(y)) : !values.some(matches);
}
/**
 * Whether an event meets a detection's keys, evaluated plainly (no index): some pass whose data
 * sets hold the event and all of whose clauses hold, and (one data set) each row clause and row
 * exclusion holds for some row of the event in it.
 */
function keysHold(
  keys: IndexKeys,
  ev: SplunkEvent,
  rowsOf: (ds: string) => readonly Record<string, unknown>[],
): boolean {
  const passHolds = (p: PassKeys) => {
    if (p.dataSets && !p.dataSets.some((ds) => inDataSet(ev, ds))) return false;
    if (!(p.clauses ?? []).every((cl) => clauseHolds(cl, ev))) return false;
    if (p.dataSets?.length !== 1) return true;
    const rows = rowsOf(p.dataSets[0]!);
    return (
      (p.rowClauses ?? []).every((cl) => rows.some((r) => clauseHolds(cl, r))) &&
      (p.rowExclusions ?? []).every((x) => rows.some((r) => exclusionHolds(x, r)))
    );
  };
  return keys.passes === undefined || keys.passes.some(passHolds);
}

function exprOf(text: string): SearchExpr | undefined {
  const c = parsePipeline(text).pipeline.commands[0];
  return c?.kind === 'search' ? c.expr : undefined;
}

/** A detection with these index keys whose runs do nothing (the index is what is tested). */
const detection = (keys: ScanDetection['keys'], i: number): ScanDetection => ({
  file: `d${i}`,
  id: `d${i}`,
  name: `d${i}`,
  techniques: [],
  keys,
  open: () => ({ push() {}, end: () => 0 }),
  rowsOnNoEvents: async () => 0,
});

describe('rule index', () => {
  it('indexed routing ≡ every detection on every event, over event fields and data-set rows', () => {
    fc.assert(
      fc.property(
        fc.array(detectionOf, { minLength: 1, maxLength: 10 }),
        fc.array(fc.tuple(event, rowsOf), { maxLength: 30 }),
        (specs, input) => {
          const passes = specs.map((ps) => ps.map((p) => ({ ...p, expr: exprOf(p.text) })));
          const rows = new Map<SplunkEvent, Record<string, unknown>[]>();
          const events = input.map(([ev, rs]) => {
            const withSource = inDS(ev) ? rs.map((r) => ({ ...r, source: ev.source })) : [];
            rows.set(ev, withSource);
            return ev;
          });
          // The sequence again, as fresh objects with the same values but (for members) the rows of
          // the next event: the memos by value (membership, term hits, pivot routers) are hit
          // again, and rows are read of the event given, not remembered by its values.
          const again = events.map((ev, k) => {
            const copy = { ...ev };
            rows.set(copy, inDS(copy) ? rows.get(events[(k + 1) % events.length]!)! : []);
            return copy;
          });
          const detections: ScanDetection[] = passes.map((ps, i) => {
            const keys: IndexKeys = {
              passes: ps.map((p) => {
                if (p.on === 'events') return { clauses: necessaryClauses(p.expr) };
                if (p.on === 'sets') return { dataSets: p.sets, clauses: necessaryClauses(p.expr) };
                const rowClauses = necessaryClauses(p.expr, defaultFieldKey);
                const rowExclusions = necessaryExclusions(p.expr, defaultFieldKey);
                return {
                  dataSets: ['DS'],
                  ...(rowClauses.length > 0 ? { rowClauses } : {}),
                  ...(rowExclusions.length > 0 ? { rowExclusions } : {}),
                };
              }),
            };
            return detection(keys, i);
          });
          const options = {
            inDataSet,
            dataSetReads: () => new Set(['tag']),
            dataSetRows: (ev: SplunkEvent, ds: string) => (ds === 'DS' ? (rows.get(ev) ?? []) : []),
            dataSetWanted: () => new Set<string>(),
          };
          // With the membership memo (by the `tag` values) and without.
          const index = new RuleIndex(detections, { ...options, dataSetContainsReads: () => new Set(['tag']) });
          const unmemoised = new RuleIndex(detections, options);
          const uses = (i: number, ev: SplunkEvent) =>
            passes[i]!.some((p) =>
              p.on === 'events'
                ? !p.expr || evaluateSearch(p.expr, ev)
                : p.on === 'sets'
                  ? p.sets.some((ds) => inDataSet(ev, ds)) && (!p.expr || evaluateSearch(p.expr, ev))
                  : (rows.get(ev) ?? []).some(
                      (r) => !p.expr || evaluateSearch(p.expr, r as SplunkEvent, defaultFieldKey),
                    ),
            );
          for (const ev of [...events, ...again]) {
            const all = passes.flatMap((_, i) => (uses(i, ev) ? [i] : []));
            const routing = index.stream(String(ev.sourcetype), String(ev.source));
            const routed = routing.candidates(ev);
            // The pivot routers and the membership memo change nothing: the plain router over
            // every pass, and an index asking membership per event, give the same candidates.
            expect(routing.plainCandidates(ev)).toEqual(routed);
            expect(unmemoised.stream(String(ev.sourcetype), String(ev.source)).candidates(ev)).toEqual(routed);
            // Exactly the detections whose keys hold (the index skips only what its keys exclude).
            const holding = detections.flatMap((d, i) =>
              keysHold(d.keys, ev, (ds) => (ds === 'DS' ? (rows.get(ev) ?? []) : [])) ? [i] : [],
            );
            expect(routed, `keys of ${JSON.stringify(detections.map((d) => d.keys))} on ${JSON.stringify(ev)}`).toEqual(
              holding,
            );
            const indexed = routed.filter((i) => uses(i, ev));
            expect(
              indexed,
              `${specs.map((ps) => ps.map((p) => p.text).join(' ⋈ ')).join(' | ')} on ${JSON.stringify(ev)}`,
            ).toEqual(all);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('valuesKey: equal keys for exactly the events that agree on the fields', () => {
    const v = fc.oneof(
      fc.constantFrom(undefined, 'a', 'ab', 'a:b', 's1:a', '', 'u', 1, 10, 1.5, -1),
      fc.array(fc.constantFrom('a', 'b', 'a:b', '', 1, 'u'), { maxLength: 3 }),
    );
    const ev = fc.tuple(v, v).map(([x, y]) => ({ x, y }) as SplunkEvent);
    fc.assert(
      fc.property(ev, ev, (a, b) => {
        const same = JSON.stringify([a.x, a.y]) === JSON.stringify([b.x, b.y]) && typeof a.x === typeof b.x;
        expect(valuesKey(a, ['x', 'y']) === valuesKey(b, ['x', 'y'])).toBe(same);
      }),
      { numRuns: 2000 },
    );
    expect(valuesKey({ x: { a: 1 } } as unknown as SplunkEvent, ['x'])).toBeUndefined();
  });

  it('membership of the last event is reused only for equal values, not for a list changed in place', () => {
    const index = new RuleIndex([detection({ passes: [{ dataSets: ['DS'] }] }, 0), detection({}, 1)], {
      inDataSet,
      dataSetReads: () => new Set(['tag']),
      dataSetContainsReads: () => new Set(['tag']),
    });
    const s = index.stream('XmlWinEventLog', 'XmlWinEventLog:Security');
    const tag = ['process'];
    expect(s.candidates({ tag })).toEqual([0, 1]);
    expect(s.candidates({ tag: ['process'] })).toEqual([0, 1]);
    tag[0] = 'network';
    expect(s.candidates({ tag })).toEqual([1]);
    expect(s.candidates({ tag: 'process' })).toEqual([0, 1]);
    expect(s.candidates({ tag: ['process', 'x'] })).toEqual([0, 1]);
    expect(s.candidates({})).toEqual([1]);
  });

  it('decides stream clauses per stream and needs every other clause of a pass to hold', () => {
    const index = new RuleIndex([
      detection(keysOfSearch(exprOf('source="XmlWinEventLog:Security" EventCode=4688')), 0),
      detection(keysOfSearch(exprOf('EventCode IN (1, 3) Image=cmd.exe')), 1),
      detection({}, 2),
    ]);
    const sec = index.stream('XmlWinEventLog', 'XmlWinEventLog:Security');
    expect(sec.candidates({ EventCode: '4688' })).toEqual([0, 2]);
    expect(sec.candidates({ EventCode: '3' })).toEqual([2]);
    expect(sec.candidates({ EventCode: '3', Image: 'CMD.exe' })).toEqual([1, 2]);
    expect(sec.candidates({ EventCode: '7', Image: 'cmd.exe' })).toEqual([2]);
    const sysmon = index.stream('XmlWinEventLog', 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational');
    expect(sysmon.eligible).toEqual([1, 2]);
    expect(sysmon.candidates({ EventCode: '4688' })).toEqual([2]);
  });

  it('keeps a pass that names no data set apart from one that needs any of none (second review)', () => {
    // Both are live for every event; grouped under one key, whichever came first decided both.
    const inDataSet = () => false;
    for (const order of [0, 1]) {
      const ds = [detection({ passes: [{ dataSets: [] }] }, 0), detection({ passes: [{}] }, 1)];
      const dets = order === 0 ? ds : [ds[1]!, ds[0]!];
      const want = order === 0 ? [1] : [0];
      const s = new RuleIndex(dets, { inDataSet }).stream('XmlWinEventLog', 'XmlWinEventLog:Security');
      expect(s.candidates({ EventCode: '1' })).toEqual(want);
    }
  });

  it('tests wildcard terms by prefix, suffix and inner literal, on any value of a multivalue field', () => {
    const s = new RuleIndex([
      detection(keysOfSearch(exprOf('(Image="*\\cmd.exe" OR OriginalFileName=Cmd.Exe) CommandLine="*/c*"')), 0),
      detection(keysOfSearch(exprOf('CommandLine IN ("powershell*", "*-enc*") ')), 1),
      detection(keysOfSearch(exprOf('CommandLine="a*b*c"')), 2),
    ]).stream('XmlWinEventLog', 'XmlWinEventLog:Security');
    expect(s.fields).toEqual(new Set(['Image', 'OriginalFileName', 'CommandLine']));
    expect(s.candidates({ Image: 'C:\\Windows\\CMD.EXE', CommandLine: 'cmd /C dir' })).toEqual([0]);
    expect(s.candidates({ OriginalFileName: ['x', 'cmd.exe'], CommandLine: '/c' })).toEqual([0]);
    expect(s.candidates({ Image: 'powershell.exe', CommandLine: '/c' })).toEqual([]);
    expect(s.candidates({ CommandLine: ['x', 'PowerShell -EncodedCommand'] })).toEqual([1]);
    expect(s.candidates({ CommandLine: 'x -ENC y' })).toEqual([1]);
    // The literal (`a`, anchored) is only necessary: the whole pattern decides.
    expect(s.candidates({ CommandLine: 'abc' })).toEqual([2]);
    expect(s.candidates({ CommandLine: 'acb' })).toEqual([]);
  });
});
