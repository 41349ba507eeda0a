// The build's dependency check skips expanding or parsing searches when nothing they could name
// was left out (packages/splunk-app/src/dependencies.ts). These tests compare it with the plain
// check (every search parsed) in each combination of left-out pieces.
import { filterMacroName, type ContentTree } from '@dac/content';
import { contentMacroTable, macroDefinitions, macroKey, parseSearch } from '@dac/spl';
import { describe, expect, it } from 'vitest';
import { lookupsNamed, missingDependencies, type ShippedContent } from '../../packages/splunk-app/src/dependencies.js';
import { memoryTree } from './helpers.js';

const detection = (name: string, search: string, story = 'Story A') => ({
  name,
  search,
  tags: { analytic_story: [story] },
});

function tree(): ContentTree {
  return memoryTree({}, [
    { kind: 'macro', relPath: 'macros/m_direct.yml', data: { name: 'm_direct', definition: 'index=main' } },
    { kind: 'macro', relPath: 'macros/m_outer.yml', data: { name: 'm_outer', definition: '`m_inner` | stats count' } },
    { kind: 'macro', relPath: 'macros/m_inner.yml', data: { name: 'm_inner', definition: 'sourcetype=x' } },
    {
      kind: 'macro',
      relPath: 'macros/m_lookup.yml',
      data: { name: 'm_lookup', arguments: ['f'], definition: 'lookup lk_macro $f$ OUTPUT y' },
    },
    { kind: 'lookup', relPath: 'lookups/lk_direct.yml', data: { name: 'lk_direct', filename: 'lk_direct.csv' } },
    { kind: 'lookup', relPath: 'lookups/lk_macro.yml', data: { name: 'lk_macro', filename: 'lk_macro.csv' } },
    { kind: 'lookup', relPath: 'lookups/lk_sub.yml', data: { name: 'lk_sub', filename: 'lk_sub.csv' } },
    { kind: 'story', relPath: 'stories/a.yml', data: { name: 'Story A' } },
    { kind: 'story', relPath: 'stories/b.yml', data: { name: 'Story B' } },
    { kind: 'detection', relPath: 'detections/plain.yml', data: detection('Plain', 'index=a | stats count') },
    { kind: 'detection', relPath: 'detections/direct.yml', data: detection('Direct', '`m_direct` | table x') },
    { kind: 'detection', relPath: 'detections/nested.yml', data: detection('Nested', '`m_outer`') },
    {
      kind: 'detection',
      relPath: 'detections/lookup.yml',
      data: detection('Lookup', 'index=a | lookup lk_direct.csv x OUTPUT y'),
    },
    { kind: 'detection', relPath: 'detections/via-macro.yml', data: detection('Via Macro', 'index=a | `m_lookup(x)`') },
    {
      kind: 'detection',
      relPath: 'detections/subsearch.yml',
      data: detection('Subsearch', 'index=a | join x [| inputlookup lk_sub | fields x]', 'Story B'),
    },
    {
      kind: 'detection',
      relPath: 'detections/search-subsearch.yml',
      data: detection('Search Subsearch', 'index=a [| inputlookup lk_macro.csv | fields x] | table x', 'Story B'),
    },
    {
      kind: 'detection',
      relPath: 'detections/tstats-subsearch.yml',
      data: detection('Tstats Subsearch', '| tstats count where [| inputlookup lk_sub | fields x] by a'),
    },
    // Its macro file does not parse: the macro stays unreadable (never shipped).
    { kind: 'detection', relPath: 'detections/unreadable.yml', data: detection('Unreadable', '`broken(1)` x') },
  ]);
}

/** The plain check: every search expanded and parsed, whatever was left out. */
function plainMissing(t: ContentTree, shipped: ShippedContent, unreadable: Set<string>): Map<string, string> {
  const table = contentMacroTable(t.macros);
  const contentMacros = new Set(macroDefinitions(t.macros).map((d) => macroKey(d.name, d.args.length)));
  const contentLookups = new Set(
    t.lookups.flatMap((l) => [l.model?.name.value, (l.data as { filename?: string }).filename]),
  );
  const contentStories = new Set(t.stories.map((st) => st.model?.name.value));
  const out = new Map<string, string>();
  for (const item of t.detections) {
    const d = item.model!;
    const parsed = parseSearch(d.search.value!, table, { filterMacro: filterMacroName(d.name.value!) });
    const bad = parsed.diagnostics.find((x) => x.code === 'undefined-macro' && unreadable.has(x.macro));
    const macro =
      parsed.usedMacros.find(
        (k) => (contentMacros.has(k) || unreadable.has(k.replace(/\(\d+\)$/, ''))) && !shipped.macros.has(k),
      ) ?? (bad?.code === 'undefined-macro' ? bad.key : undefined);
    if (macro !== undefined) {
      out.set(item.file.relPath, `it calls the macro \`${macro}\`, which the build left out`);
      continue;
    }
    const lookup = [...lookupsNamed(parsed.pipeline)].find((l) => contentLookups.has(l) && !shipped.lookups.has(l));
    if (lookup !== undefined) {
      out.set(item.file.relPath, `it uses the lookup ${lookup}, which the build left out`);
      continue;
    }
    const story = d.tags.value?.analytic_story.value
      ?.map((s) => s.value)
      .find((s) => contentStories.has(s) && !shipped.stories.has(s!));
    if (story !== undefined) out.set(item.file.relPath, `its analytic story "${story}" was left out of the build`);
  }
  return out;
}

const ALL_MACROS = ['m_direct', 'm_outer', 'm_inner', 'm_lookup(1)'];
const ALL_LOOKUPS = ['lk_direct', 'lk_direct.csv', 'lk_macro', 'lk_macro.csv', 'lk_sub', 'lk_sub.csv'];
const ALL_STORIES = ['Story A', 'Story B'];

describe('missingDependencies gives the plain check’s answer', () => {
  const cases: [string, Partial<Record<'macros' | 'lookups' | 'stories', string[]>>][] = [
    ['nothing left out', {}],
    ['a nested macro left out', { macros: ['m_inner'] }],
    ['a macro with arguments left out', { macros: ['m_lookup(1)'] }],
    ['a lookup named in a macro left out', { lookups: ['lk_macro', 'lk_macro.csv'] }],
    ['a lookup of a subsearch left out', { lookups: ['lk_sub', 'lk_sub.csv'] }],
    ['a lookup named by file left out', { lookups: ['lk_direct', 'lk_direct.csv'] }],
    ['a macro and a lookup left out', { macros: ['m_direct'], lookups: ['lk_sub', 'lk_sub.csv'] }],
    ['a story left out', { stories: ['Story B'] }],
  ];
  for (const withUnreadable of [false, true]) {
    for (const [what, leftOut] of cases) {
      it(`${what}${withUnreadable ? ', with an unreadable macro file' : ''}`, () => {
        const t = tree();
        const unreadable = new Set<string>();
        if (withUnreadable) {
          t.macros.push({
            ...t.macros[0]!,
            data: undefined,
            file: { ...t.macros[0]!.file, relPath: 'macros/broken.yml' },
          });
          unreadable.add('broken');
        }
        const shipped: ShippedContent = {
          macros: new Set(ALL_MACROS.filter((m) => !leftOut.macros?.includes(m))),
          lookups: new Set(ALL_LOOKUPS.filter((l) => !leftOut.lookups?.includes(l))),
          stories: new Set(ALL_STORIES.filter((s) => !leftOut.stories?.includes(s))),
        };
        const got = missingDependencies(t, t.detections, shipped);
        if (leftOut.lookups?.includes('lk_sub')) {
          // Subsearches of a join, of a search expression and of a tstats where clause all count.
          expect(got.get('detections/subsearch.yml')).toMatch(/lookup lk_sub,/);
          expect(got.get('detections/tstats-subsearch.yml')).toMatch(/lookup lk_sub,/);
        }
        if (leftOut.lookups?.includes('lk_macro'))
          expect(got.get('detections/search-subsearch.yml')).toMatch(/lookup lk_macro\.csv,/);
        expect(got).toEqual(plainMissing(t, shipped, unreadable));
        // The cases are not vacuous: each left-out piece leaves a detection out.
        if (Object.keys(leftOut).length || withUnreadable) expect(got.size).toBeGreaterThan(0);
        else expect(got.size).toBe(0);
      });
    }
  }
});
