// Hand-written knowledge and events (labelled as such): each test pins one props.conf /
// transforms.conf rule of Splunk's search-time operation sequence (props.conf.spec and
// transforms.conf.spec 9.0.3, quoted in the engine's comments).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RawEvent } from '../types.js';
import { createAddonEngine, DataElements, dataElementPattern, sourcePatternMatches } from './engine.js';
import type { AddonRef, Eventtype, FieldTag, Knowledge, KnowledgeOp, LookupTable, Stanza, Transform } from './model.js';

const HAND: AddonRef = {
  id: 'hand-written',
  title: 'hand-written test knowledge',
  version: '0',
  seen: 'this test',
};

function knowledge(
  stanzas: { match: Stanza['match']; ops: KnowledgeOp[] }[],
  extra: Partial<Knowledge> = {},
): Knowledge {
  return {
    inputs: [
      {
        sourcetypes: ['st'],
        format: 'xml',
        hostFields: ['Computer'],
        at: 'hand',
      },
    ],
    stanzas: stanzas.map((s) => ({ addon: HAND, ...s })),
    eventtypes: [],
    fieldTags: [],
    ...extra,
  };
}

const raw = (fields: Record<string, string | string[]>, text?: string): RawEvent => ({
  fields,
  text,
  line: 1,
  time: 100,
});
const meta = { sourcetype: 'st', source: 'src' };

describe('search-time operations', () => {
  it('REPORT keeps the first value a field gets unless MV_ADD (transforms.conf.spec MV_ADD)', () => {
    const k = knowledge([
      {
        match: { sourcetype: 'st' },
        ops: [
          {
            kind: 'report',
            cls: 'b',
            transforms: [
              { name: 't1', from: 'A', regex: '(.+)', out: { x: 1 }, at: 'h' },
              { name: 't2', from: 'B', regex: '(.+)', out: { x: 1 }, at: 'h' },
              {
                name: 't3',
                from: 'B',
                regex: '(.+)',
                out: { y: 1 },
                mvAdd: true,
                at: 'h',
              },
              {
                name: 't4',
                from: 'A',
                regex: '(.+)',
                out: { y: 1 },
                mvAdd: true,
                at: 'h',
              },
            ],
            at: 'h',
          },
        ],
      },
    ]);
    const ev = createAddonEngine(k).extract(raw({ A: 'a', B: 'b' }), meta);
    expect(ev.x).toBe('a');
    expect(ev.y).toEqual(['b', 'a']);
  });

  it('a REPORT regex extracts every match of its source (one transform, all <Data> elements)', () => {
    const k = knowledge([
      {
        match: { sourcetype: 'st' },
        ops: [
          {
            kind: 'report',
            cls: 'kv',
            transforms: [
              {
                name: 'pairs',
                from: '_raw',
                regex: '(\\w+)=(\\w+)',
                out: { $1: 2 },
                at: 'h',
              },
            ],
            at: 'h',
          },
        ],
      },
    ]);
    const ev = createAddonEngine(k).extract(raw({}, 'a=1 b=2 c=3'), meta);
    expect([ev.a, ev.b, ev.c]).toEqual(['1', '2', '3']);
  });

  it('empty extracted values are dropped (KEEP_EMPTY_VALS = false)', () => {
    const ev = createAddonEngine(knowledge([])).extract(raw({ RuleName: '', X: ['', 'v'] }), meta);
    expect(ev.RuleName).toBeUndefined();
    expect(ev.X).toBe('v');
  });

  it('FIELDALIAS AS replaces and removes; ASNEW keeps (props.conf.spec FIELDALIAS)', () => {
    const k = knowledge([
      {
        match: { sourcetype: 'st' },
        ops: [
          {
            kind: 'alias',
            cls: 'a',
            pairs: [
              { from: 'Missing', to: 'gone' },
              { from: 'Missing', to: 'kept', asnew: true },
              { from: 'V', to: 'over' },
              { from: 'V', to: 'keep', asnew: true },
            ],
            at: 'h',
          },
        ],
      },
    ]);
    const ev = createAddonEngine(k).extract(raw({ gone: 'x', kept: 'y', over: 'z', keep: 'w', V: 'v' }), meta);
    expect(ev.gone).toBeUndefined();
    expect(ev.kept).toBe('y');
    expect(ev.over).toBe('v');
    expect(ev.keep).toBe('w');
  });

  it('EVALs run in parallel: EVAL-x = y*2 sees the y of before EVAL-y = 100 (props.conf.spec EVAL)', () => {
    const k = knowledge([
      {
        match: { sourcetype: 'st' },
        ops: [
          { kind: 'eval', field: 'x', expr: 'y*2', at: 'h' },
          { kind: 'eval', field: 'y', expr: '100', at: 'h' },
          { kind: 'eval', field: 'z', expr: 'null()', at: 'h' },
        ],
      },
    ]);
    const ev = createAddonEngine(k).extract(raw({ y: '3', z: 'removed' }), meta);
    expect([ev.x, ev.y, ev.z]).toEqual(['6', '100', undefined]);
  });

  it('EXTRACT runs before REPORT, REPORT before FIELDALIAS, FIELDALIAS before EVAL, EVAL before LOOKUP', () => {
    const k = knowledge([
      {
        match: { sourcetype: 'st' },
        ops: [
          {
            kind: 'lookup',
            cls: 'l',
            table: {
              name: 't',
              columns: ['k', 'v'],
              rows: [['CALC', 'found']],
              at: 'h',
            },
            inputs: [['k', 'e']],
            outputs: [['v', 'looked']],
            outputNew: true,
            at: 'h',
          },
          { kind: 'eval', field: 'e', expr: 'upper(al)', at: 'h' },
          {
            kind: 'alias',
            cls: 'x',
            pairs: [{ from: 'rep', to: 'al' }],
            at: 'h',
          },
          {
            kind: 'report',
            cls: 'r',
            transforms: [
              {
                name: 'r',
                from: 'ext',
                regex: '(.+)',
                out: { rep: 1 },
                at: 'h',
              },
            ],
            at: 'h',
          },
          { kind: 'extract', cls: 'x', regex: 'v=(?<ext>\\w+)', at: 'h' },
        ],
      },
    ]);
    const ev = createAddonEngine(k).extract(raw({}, 'v=calc'), meta);
    expect([ev.ext, ev.rep, ev.al, ev.e, ev.looked]).toEqual(['calc', 'calc', 'calc', 'CALC', 'found']);
  });

  it('LOOKUP OUTPUTNEW writes only new fields; a case-insensitive table matches any case', () => {
    const table = {
      name: 't',
      columns: ['k', 'v'],
      rows: [['abc', 'one']],
      caseSensitive: false,
      at: 'h',
    };
    const k = knowledge([
      {
        match: { sourcetype: 'st' },
        ops: [
          {
            kind: 'lookup',
            cls: 'a',
            table,
            inputs: [['k', 'K']],
            outputs: [
              ['v', 'new'],
              ['v', 'old'],
            ],
            outputNew: true,
            at: 'h',
          },
        ],
      },
    ]);
    const ev = createAddonEngine(k).extract(raw({ K: 'ABC', old: 'kept' }), meta);
    expect([ev.new, ev.old]).toEqual(['one', 'kept']);
  });

  it('a source stanza overrides the same setting of a sourcetype stanza; other settings layer (props.conf.spec precedence)', () => {
    const k = knowledge([
      {
        match: { source: 'src' },
        ops: [{ kind: 'eval', field: 'who', expr: '"source"', at: 'h' }],
      },
      {
        match: { sourcetype: 'st' },
        ops: [
          { kind: 'eval', field: 'who', expr: '"sourcetype"', at: 'h' },
          { kind: 'eval', field: 'also', expr: '"yes"', at: 'h' },
        ],
      },
    ]);
    const ev = createAddonEngine(k).extract(raw({}), meta);
    expect([ev.who, ev.also]).toEqual(['source', 'yes']);
  });

  it('stanzas match sourcetype and source case-sensitively; `...` and `*` are source wildcards', () => {
    const k = knowledge([
      {
        match: { sourcetype: 'ST' },
        ops: [{ kind: 'eval', field: 'x', expr: '1', at: 'h' }],
      },
    ]);
    expect(createAddonEngine(k).extract(raw({}), meta).x).toBeUndefined();
    expect(sourcePatternMatches('WinEventLog:...', 'WinEventLog:Microsoft-Windows-AppLocker/MSI and Script')).toBe(
      true,
    );
    expect(sourcePatternMatches('/var/log/*', '/var/log/a/b')).toBe(false);
    expect(sourcePatternMatches('XmlWinEventLog:Security', 'xmlwineventlog:security')).toBe(false);
  });

  it('eventtypes (that may reference each other) and their tags; tags of field values as tag::<field>', () => {
    const k = knowledge([], {
      eventtypes: [
        {
          name: 'child',
          search: 'eventtype=parent EventCode=1',
          tags: ['process', 'report'],
          addon: HAND,
          at: 'h',
        },
        {
          name: 'parent',
          search: 'source=src',
          tags: ['os'],
          addon: HAND,
          at: 'h',
        },
        {
          name: 'other',
          search: 'source=elsewhere',
          tags: ['never'],
          addon: HAND,
          at: 'h',
        },
      ],
      fieldTags: [
        {
          field: 'app',
          value: 'win:local',
          tags: ['local'],
          addon: HAND,
          at: 'h',
        },
      ],
    });
    const ev = createAddonEngine(k).extract(raw({ EventCode: '1', app: 'WIN:LOCAL' }), meta);
    expect(ev.eventtype).toEqual(['parent', 'child']);
    expect(ev.tag).toEqual(['os', 'process', 'report', 'local']);
    expect(ev['tag::app']).toBe('local');
    const none = createAddonEngine(k).extract(raw({ EventCode: '2' }), meta);
    expect(none.eventtype).toBe('parent');
  });

  it('default fields: _time _raw host (the profile field when the test names none) source sourcetype index linecount', () => {
    const ev = createAddonEngine(knowledge([])).extract(raw({ Computer: 'pc1' }, 'a\nb'), meta);
    expect(ev).toMatchObject({
      _time: 100,
      _raw: 'a\nb',
      host: 'pc1',
      source: 'src',
      sourcetype: 'st',
      index: 'main',
      linecount: '2',
    });
    expect(
      createAddonEngine(knowledge([])).extract(raw({ Computer: 'pc1' }), {
        ...meta,
        host: 'h',
        index: 'x',
      }),
    ).toMatchObject({
      host: 'h',
      index: 'x',
    });
  });

  it('a projection computes what the wanted fields need and nothing it cannot use', () => {
    const k = knowledge([
      {
        match: { sourcetype: 'st' },
        ops: [
          { kind: 'eval', field: 'a', expr: 'lower(b)', at: 'h' },
          { kind: 'alias', cls: 'b', pairs: [{ from: 'B', to: 'b' }], at: 'h' },
          { kind: 'eval', field: 'unrelated', expr: '"x"', at: 'h' },
        ],
      },
    ]);
    const x = createAddonEngine(k).extractor('st', 'src');
    const wanted = new Set(['a']);
    const ev = x.extract(raw({ B: 'V' }), meta, wanted);
    expect(ev.a).toBe('v');
    expect(ev.unrelated).toBeUndefined();
    expect([...(x.baseFieldsFor(wanted) ?? [])].sort()).toEqual(['B', 'Computer', 'a', 'b']);
    // Plans are shared by the names of the wanted set (a new set with the same names, in any
    // order, is the same projection); other names are another projection.
    const same = x.extract(raw({ B: 'V' }), meta, new Set(['a']));
    expect(same).toEqual(ev);
    expect(x.baseFieldsFor(new Set(['a']))).toBe(x.baseFieldsFor(wanted));
    const other = new Set(['unrelated', 'a']);
    expect(x.extract(raw({ B: 'V' }), meta, other).unrelated).toBe('x');
    expect(x.baseFieldsFor(new Set(['a', 'unrelated']))).toBe(x.baseFieldsFor(other));
    expect(x.baseFieldsFor(other)).not.toBe(x.baseFieldsFor(wanted));
  });

  it('reports expressions and regexes of the knowledge that do not compile', () => {
    const k = knowledge([
      {
        match: { sourcetype: 'st' },
        ops: [
          { kind: 'eval', field: 'a', expr: 'if(', at: 'here' },
          { kind: 'extract', cls: 'x', regex: '(?<a>[', at: 'there' },
        ],
      },
    ]);
    const problems = createAddonEngine(k).extractor('st', 'src').problems;
    expect(problems.map((p) => p.at)).toEqual(['there', 'here']);
  });
});

describe('fast paths', () => {
  it('the `(.+)` copy transform extracts what the regex would (first non-empty line; `^(.+)` only the first)', async () => {
    const fc = (await import('fast-check')).default;
    const k = (regex: string) =>
      knowledge([
        {
          match: { sourcetype: 'st' },
          ops: [
            {
              kind: 'report',
              cls: 'r',
              transforms: [{ name: 'r', from: 'A', regex, out: { x: 1 }, at: 'h' }],
              at: 'h',
            },
          ],
        },
      ]);
    const fast = createAddonEngine(k('(.+)'));
    const slow = createAddonEngine(k('(?:)(.+)'));
    const fastAnchored = createAddonEngine(k('^(.+)'));
    const slowAnchored = createAddonEngine(k('^(?:)(.+)'));
    const text = fc
      .array(fc.constantFrom('a', 'b', '\n', '\r', '\u2028', ' ', '-'), {
        maxLength: 8,
      })
      .map((a) => a.join(''));
    fc.assert(
      fc.property(text, (a) => {
        expect(fast.extract(raw({ A: a }), meta).x).toBe(slow.extract(raw({ A: a }), meta).x);
        expect(fastAnchored.extract(raw({ A: a }), meta).x).toBe(slowAnchored.extract(raw({ A: a }), meta).x);
      }),
      { numRuns: 400 },
    );
  });

  // The `<Data Name='X'>(?<y>[^<]+)<\/Data>` EXTRACTs are answered by one pass over the text
  // (DataElements) instead of a regex each: on hostile XML-ish text (entities, CDATA-like runs,
  // both quote kinds, `<`/`>` inside names and values, newlines, repeated and empty elements,
  // names that are prefixes of others) every name's value is what the regex captures.
  it('DataElements gives each name what its EXTRACT regex captures (generated XML-ish text)', () => {
    const NAMES = ['A', 'AB', 'B', 'Ip_1', 'CommandLine'];
    const piece = fc.oneof(
      fc.constantFrom(...NAMES).map((n) => `<Data Name='${n}'>`),
      fc.constantFrom(...NAMES).map((n) => `<Data Name="${n}">`),
      fc.constantFrom(
        "<Data Name='",
        "<Data Name=''>",
        "<Data Name='A'",
        "'>",
        '</Data>',
        '</Data',
        '<Data>',
        '</data>',
      ),
      fc.constantFrom('<![CDATA[x<y]]>', '&lt;', '&amp;', '&apos;', "'", '"', '<', '>', '\n', '\r\n', ' ', ''),
      fc.constantFrom(...NAMES),
      fc.string({ maxLength: 6 }),
    );
    const text = fc.array(piece, { maxLength: 24 }).map((a) => a.join(''));
    fc.assert(
      fc.property(text, fc.subarray(NAMES, { minLength: 1 }), (t, names) => {
        const index = new DataElements();
        const slots = names.map((n) => index.slot(n));
        for (const [i, n] of names.entries()) {
          const regex = `<Data Name='${n}'>(?<y>[^<]+)<\\/Data>`;
          expect(dataElementPattern(regex)).toEqual({ name: n, field: 'y' });
          expect(index.value(t, slots[i])).toBe(new RegExp(regex, 'ms').exec(t)?.groups?.y);
        }
      }),
      { numRuns: 3000 },
    );
    // Regexes of another form keep the regex engine.
    expect(dataElementPattern(`<Data Name=['"]IpAddress['"]>(?<src_ip>[^<]+)<\\/Data>`)).toBeUndefined();
    expect(dataElementPattern(`<Data Name='A.B'>(?<y>[^<]+)<\\/Data>`)).toBeUndefined();
    expect(dataElementPattern(`<Data Name='A'>(?<y>[^<]*)<\\/Data>`)).toBeUndefined();
  });

  it('an EXTRACT of a <Data Name> element extracts what the regex would through the engine (first good element)', () => {
    const op = (regex: string): KnowledgeOp => ({
      kind: 'extract',
      cls: 'x',
      regex,
      at: 'h',
    });
    const fast = createAddonEngine(
      knowledge([
        {
          match: { sourcetype: 'st' },
          ops: [op(`<Data Name='P'>(?<p>[^<]+)<\\/Data>`)],
        },
      ]),
    );
    // Same regex, spelt so that the fast path does not apply.
    const slow = createAddonEngine(
      knowledge([
        {
          match: { sourcetype: 'st' },
          ops: [op(`<Data Name='P'>(?<p>[^<]+)<\\/Dat(?:a)>`)],
        },
      ]),
    );
    const text = `<Data Name='P'></Data><Data Name='P'>x<b></Data><Data Name='P'>C:\\a b\n&amp;</Data><Data Name='P'>z</Data>`;
    expect(fast.extract(raw({}, text), meta).p).toBe('C:\\a b\n&amp;');
    expect(fast.extract(raw({}, text), meta)).toEqual(slow.extract(raw({}, text), meta));
  });
});

/** Arbitraries of knowledge whose operations read and write each other's fields, and of events. */
function generatedKnowledge() {
  // A small field alphabet, so that operations read and write each other's fields.
  const field = fc.constantFrom('a', 'b', 'c', 'd', 'A', 'B', 'punct', 'System_Props_Xml');
  const lower = fc.constantFrom('a', 'b', 'c', 'd');
  const cls = fc.constantFrom('1', '2', '3', '4');
  const table: LookupTable = {
    name: 't',
    columns: ['k', 'v', 'w'],
    rows: [
      ['1', 'one', 'uno'],
      ['x', 'ex', ''],
      ['1', 'eins', 'uno'],
    ],
    at: 'h',
  };
  const transform = fc.oneof(
    fc.record({ from: field, to: lower, mvAdd: fc.boolean() }).map(
      ({ from, to, mvAdd }): Transform => ({
        name: 'copy',
        from,
        regex: '(.+)',
        out: { [to]: 1 },
        mvAdd,
        at: 'h',
      }),
    ),
    fc.record({ from: field, x: lower, y: lower }).map(
      ({ from, x, y }): Transform => ({
        name: 'two',
        from,
        regex: '(\\w)(\\w)',
        out: { [x]: 1, [y]: 2 },
        at: 'h',
      }),
    ),
    // FORMAT = $1::$2: the field names come from the data.
    fc.constantFrom('A', 'B').map(
      (from): Transform => ({
        name: 'dyn',
        from,
        regex: '(\\w)=(\\w+)',
        out: { $1: 2 },
        at: 'h',
      }),
    ),
  );
  const op: fc.Arbitrary<KnowledgeOp> = fc.oneof(
    fc.record({ cls, from: field, n: lower }).map(
      ({ cls, from, n }): KnowledgeOp => ({
        kind: 'extract',
        cls,
        from,
        regex: `(?<${n}>[0-9x]+)`,
        at: 'h',
      }),
    ),
    fc
      .record({
        cls,
        transforms: fc.array(transform, { minLength: 1, maxLength: 2 }),
      })
      .map(
        ({ cls, transforms }): KnowledgeOp => ({
          kind: 'report',
          cls,
          transforms,
          at: 'h',
        }),
      ),
    fc
      .record({
        cls,
        pairs: fc.array(fc.record({ from: field, to: lower, asnew: fc.boolean() }), { minLength: 1, maxLength: 2 }),
      })
      .map(
        ({ cls, pairs }): KnowledgeOp => ({
          kind: 'alias',
          cls,
          pairs,
          at: 'h',
        }),
      ),
    fc
      .record({
        field: lower,
        expr: fc.constantFrom('lower(A)', 'b."-"', 'coalesce(c, a)', 'if(isnull(d), "n", d)', 'mvappend(a, b)'),
      })
      .map(
        ({ field, expr }): KnowledgeOp => ({
          kind: 'eval',
          field,
          expr,
          at: 'h',
        }),
      ),
    fc
      .record({
        cls,
        input: field,
        v: lower,
        w: lower,
        outputNew: fc.boolean(),
      })
      .map(
        ({ cls, input, v, w, outputNew }): KnowledgeOp => ({
          kind: 'lookup',
          cls,
          table,
          inputs: [['k', input]],
          outputs: [
            ['v', v],
            ['w', w],
          ],
          outputNew,
          at: 'h',
        }),
      ),
  );
  const value = fc.constantFrom('1', 'x', 'A', 'a=1', 'b=x c=1', 'ab', 'error here', '');
  const rawEvent = fc
    .record({ A: value, B: value, a: value, c: fc.array(value, { maxLength: 2 }) }, { requiredKeys: [] })
    .map((f) => raw(f, '<Event><System><EventID>1</EventID></System><EventData>x=1</EventData></Event>'));
  const wanted = fc.option(
    fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'punct', 'tag', 'eventtype', 'EventData_Xml'), {
      maxLength: 4,
    }),
    { nil: undefined },
  );
  const eventtypes: Eventtype[] = [
    { name: 'one', search: 'a=1 OR b=x*', tags: ['t1'], addon: HAND, at: 'h' },
    {
      name: 'two',
      search: 'eventtype=one c=*',
      tags: ['t2', 't1'],
      addon: HAND,
      at: 'h',
    },
    { name: 'bare', search: 'error', tags: ['t3'], addon: HAND, at: 'h' },
  ];
  const fieldTags: FieldTag[] = [{ field: 'd', value: 'N', tags: ['dn'], addon: HAND, at: 'h' }];
  return { op, rawEvent, wanted, eventtypes, fieldTags };
}

describe('continuing an extraction (extend)', () => {
  it('the projected extraction continued to more fields is the from-scratch extraction of the union (generated knowledge)', () => {
    const { op, rawEvent, wanted, eventtypes, fieldTags } = generatedKnowledge();
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 8 }),
        fc.constantFrom<'xml' | 'kv'>('xml', 'kv'),
        rawEvent,
        wanted,
        wanted,
        (ops, format, ev, had, more) => {
          const k = knowledge([{ match: { sourcetype: 'st' }, ops }], {
            eventtypes,
            fieldTags,
          });
          k.inputs[0].format = format;
          const x = createAddonEngine(k).extractor('st', 'src');
          const hadSet = had && new Set(had);
          const moreSet = more && new Set(more);
          const union = hadSet && moreSet ? new Set([...hadSet, ...moreSet]) : undefined;
          const first = x.extract(ev, meta, hadSet);
          expect(x.extend(first, ev, meta, hadSet, moreSet)).toEqual(x.extract(ev, meta, union));
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('leaving out idle steps (stepsFor)', () => {
  it('an extraction that skips the steps a field-name list cannot start is the one running every step (generated knowledge)', () => {
    const { op, wanted, eventtypes, fieldTags } = generatedKnowledge();
    // Events of one stream with varying name lists (subsets, orders, names that need cleaning,
    // empty values), extracted in turn by one extractor so that its remembered step lists are reused.
    const value = fc.constantFrom('1', 'x', 'A', 'a=1', 'b=x c=1', 'ab', 'error here', '');
    const name = fc.constantFrom('A', 'B', 'a', 'c', 'd', 'b c', 'b-c', 'EventID', 'Computer');
    const event = fc
      .array(fc.tuple(name, fc.oneof(value, fc.array(value, { maxLength: 2 }))), { maxLength: 6 })
      .map((pairs) => {
        const fields: Record<string, string | string[]> = Object.create(null);
        for (const [n, v] of pairs) fields[n] = v;
        return raw(fields, '<Event><System><EventID>1</EventID></System><EventData>x=1</EventData></Event>');
      });
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 8 }),
        fc.constantFrom<'xml' | 'kv' | 'wineventlog'>('xml', 'kv', 'wineventlog'),
        fc.array(fc.tuple(event, wanted, wanted), {
          minLength: 1,
          maxLength: 6,
        }),
        (ops, format, events) => {
          const k = knowledge([{ match: { sourcetype: 'st' }, ops }], {
            eventtypes,
            fieldTags,
          });
          k.inputs[0].format = format;
          const fast = createAddonEngine(k).extractor('st', 'src');
          const plain = createAddonEngine(k, {
            skipIdleSteps: false,
          }).extractor('st', 'src');
          for (const [ev, w, more] of events) {
            const set = w && new Set(w);
            const a = fast.extract(ev, meta, set);
            const b = plain.extract(ev, meta, set);
            expect(Object.getPrototypeOf(a)).toBe(null);
            // Same names in the same order, same values.
            expect(Object.entries(a)).toEqual(Object.entries(b));
            // The continuation of the event just extracted (which `extend` skips idle steps of).
            const moreSet = more && new Set(more);
            const a2 = fast.extend(a, ev, meta, set, moreSet);
            const b2 = plain.extend(b, ev, meta, set, moreSet);
            expect(Object.getPrototypeOf(a2)).toBe(null);
            expect(Object.entries(a2)).toEqual(Object.entries(b2));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('fast paths against the plain engine', () => {
  // The default engine (idle steps left out by name list and XML blocks present, EVAL results
  // remembered by versioned inputs, only the plan's reader fields copied) against one doing
  // none of it, along sequences of events of one stream (so remembered step lists, EVAL inputs
  // and eventtype answers are reused): every wanted field agrees, after `extract` and after
  // `extend` (the whole event when all fields are wanted).
  it('extract and extend give the plain engine’s wanted fields (generated knowledge, XML blocks present or not)', () => {
    const { op, wanted, eventtypes, fieldTags } = generatedKnowledge();
    // A block that only some events have, read by a transform and a `$1::$2` transform after it
    // (as Security's logfilecleared_xml_block and LogFileClearedData_from_user_data).
    const blockOps: KnowledgeOp[] = [
      {
        kind: 'report',
        cls: '0block',
        transforms: [
          {
            name: 'blk',
            from: 'UserData_Xml',
            regex: '<L>(.*?)</L>',
            out: { c: 1 },
            at: 'h',
          },
        ],
        at: 'h',
      },
      {
        kind: 'report',
        cls: '0dyn',
        transforms: [
          {
            name: 'dyn',
            from: 'c',
            regex: '(\\w)=(\\w+)',
            out: { $1: 2 },
            at: 'h',
          },
        ],
        at: 'h',
      },
    ];
    const value = fc.constantFrom('1', 'x', 'A', 'a=1', 'b=x c=1', 'ab', 'error here', '', '0', 'N');
    const name = fc.constantFrom('A', 'B', 'a', 'c', 'd', 'b c', 'EventID', 'Computer', 'punct', 'linecount');
    const text = fc.constantFrom(
      '<Event><System><EventID>1</EventID></System><EventData>x=1</EventData></Event>',
      "<Event><System><EventID Qualifiers='0'>1</EventID></System><UserData><L>a=1 d=N</L></UserData></Event>",
      '<Event><System><EventID>2</EventID></System><UserData><L>b=2</L></UserData></Event>',
      '<Event><System></System>\n<EventData>error</EventData></Event>',
    );
    const event = fc
      .tuple(fc.array(fc.tuple(name, fc.oneof(value, fc.array(value, { maxLength: 2 }))), { maxLength: 6 }), text)
      .map(([pairs, t]) => {
        const fields: Record<string, string | string[]> = Object.create(null);
        for (const [n, v] of pairs) fields[n] = v;
        return raw(fields, t);
      });
    const wantedMore = fc.option(
      fc.uniqueArray(
        fc.constantFrom(
          'a',
          'b',
          'c',
          'd',
          'A',
          'EventID',
          'punct',
          'linecount',
          'tag',
          'UserData_Xml',
          'EventData_Xml',
        ),
        { maxLength: 4 },
      ),
      { nil: undefined },
    );
    const project = (ev: Record<string, unknown>, w: ReadonlySet<string> | undefined) =>
      w ? Object.fromEntries([...w].sort().flatMap((f) => (ev[f] === undefined ? [] : [[f, ev[f]]]))) : ev;
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 8 }),
        fc.boolean(),
        fc.constantFrom<'xml' | 'wineventlog'>('xml', 'wineventlog'),
        fc.array(fc.tuple(event, fc.oneof(wanted, wantedMore), wantedMore), {
          minLength: 1,
          maxLength: 8,
        }),
        (ops, withBlockOps, format, events) => {
          const k = knowledge(
            [
              {
                match: { sourcetype: 'st' },
                ops: withBlockOps ? [...blockOps, ...ops] : ops,
              },
            ],
            {
              eventtypes,
              fieldTags,
            },
          );
          k.inputs[0].format = format;
          const fast = createAddonEngine(k).extractor('st', 'src');
          const plain = createAddonEngine(k, {
            skipIdleSteps: false,
            rememberEvals: false,
            projectReaderFields: false,
          }).extractor('st', 'src');
          for (const [ev, w, more] of events) {
            const set = w && new Set(w);
            const a = fast.extract(ev, meta, set);
            expect(Object.getPrototypeOf(a)).toBe(null);
            expect(project(a, set)).toEqual(project(plain.extract(ev, meta, set), set));
            const moreSet = more && new Set(more);
            const union = set && moreSet ? new Set([...set, ...moreSet]) : undefined;
            const a2 = fast.extend(a, ev, meta, set, moreSet);
            expect(Object.getPrototypeOf(a2)).toBe(null);
            const want = project(plain.extract(ev, meta, union), union);
            expect(project(a2, union)).toEqual(want);
            // Continuing an event that is not the last one extracted (its name list unknown:
            // addMissingBase reads the reader fields themselves).
            const c = fast.extract(ev, meta, set);
            fast.extract(events[0][0], meta, set);
            expect(project(fast.extend(c, ev, meta, set, moreSet), union)).toEqual(want);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('copying the reader fields a wider plan adds (extend)', () => {
  it('a `$1::$2` step that ran without a reader field it would have met sends the continuation back to scratch', () => {
    // Found by the property above: the block transform gives `c`, the `$1::$2` step writes `a`
    // from it (the reader's `a` was not copied: the plan for `c` does not read it), and the
    // EVAL of `c` then deletes `c`. From scratch the reader's `a` comes first and is kept.
    const k = knowledge([
      {
        match: { sourcetype: 'st' },
        ops: [
          {
            kind: 'report',
            cls: '0block',
            transforms: [
              {
                name: 'blk',
                from: 'UserData_Xml',
                regex: '<L>(.*?)</L>',
                out: { c: 1 },
                at: 'h',
              },
            ],
            at: 'h',
          },
          {
            kind: 'report',
            cls: '0dyn',
            transforms: [
              {
                name: 'dyn',
                from: 'c',
                regex: '(\\w)=(\\w+)',
                out: { $1: 2 },
                at: 'h',
              },
            ],
            at: 'h',
          },
          { kind: 'eval', field: 'c', expr: 'lower(A)', at: 'h' },
        ],
      },
    ]);
    const ev = raw(
      { a: ['0'] },
      '<Event><System><EventID>1</EventID></System><UserData><L>a=1 d=N</L></UserData></Event>',
    );
    const x = createAddonEngine(k).extractor('st', 'src');
    const had = new Set(['c']);
    const first = x.extract(ev, meta, had);
    expect(first.a).toBe('1');
    const all = x.extend(first, ev, meta, had, undefined);
    expect(all.a).toBe('0');
    expect(all).toEqual(createAddonEngine(k, { projectReaderFields: false }).extract(ev, meta));
  });

  it('a `$1::$2` step whose source a later step emptied still counts as having written (continuationNeeds)', () => {
    // Second review: `00t` gives `a` from _raw first; the `$1::$2` step from `c` wrote `a=1` (kept:
    // `a` had a value); the EVAL then deleted `c`. "c is empty now" does not prove the `$N` step
    // wrote nothing, so continuing with `00t` (which keeps the first value) must not be allowed.
    const k = knowledge([
      {
        match: { sourcetype: 'st' },
        ops: [
          {
            kind: 'report',
            cls: '00t',
            transforms: [
              {
                name: 't',
                from: '_raw',
                regex: '<L>(\\w)',
                out: { a: 1 },
                at: 'h',
              },
            ],
            at: 'h',
          },
          {
            kind: 'report',
            cls: '0block',
            transforms: [
              {
                name: 'blk',
                from: 'UserData_Xml',
                regex: '<L>(.*?)</L>',
                out: { c: 1 },
                at: 'h',
              },
            ],
            at: 'h',
          },
          {
            kind: 'report',
            cls: '0dyn',
            transforms: [
              {
                name: 'dyn',
                from: 'c',
                regex: '(\\w)=(\\w+)',
                out: { $1: 2 },
                at: 'h',
              },
            ],
            at: 'h',
          },
          { kind: 'eval', field: 'c', expr: 'lower(A)', at: 'h' },
        ],
      },
    ]);
    const ev = raw({}, '<Event><System><EventID>1</EventID></System><UserData><L>a=1 d=N</L></UserData></Event>');
    const plain = createAddonEngine(k, {
      projectReaderFields: false,
      skipIdleSteps: false,
      rememberEvals: false,
    });
    const want = plain.extractor('st', 'src').extract(ev, meta);
    expect(want.a).toBe('a');
    for (const opts of [{}, { projectReaderFields: false }]) {
      const x = createAddonEngine(k, opts).extractor('st', 'src');
      const had = new Set(['c']);
      const first = x.extract(ev, meta, had);
      expect(x.extend(first, ev, meta, had, undefined)).toEqual(want);
    }
  });
});
