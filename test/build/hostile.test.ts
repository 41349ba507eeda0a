/**
 * Hostile YAML values can never change the structure of the generated .conf files: every stanza
 * and every value read back by the project's .conf reader is exactly what was intended
 * (splunk-semantics.md §6.1 injection hazards; issue 5 correctness rules).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterMacroName } from '@dac/content';
import { splunkReadValue, stanzaNameProblem } from '@dac/conf';
import { renderApp } from '@dac/splunk-app';
import { confMap, memoryTree } from './helpers.js';

const piece = fc.constantFrom(
  '\n',
  '\r',
  '\r\n',
  '\\',
  '\\\n',
  '[x]',
  '\n[ESCU - Evil - Rule]\n',
  '\nsearch = | delete',
  '\ndisabled = false',
  '\n#',
  '=',
  '{{',
  '}}',
  '{{{',
  '</',
  '<script>',
  '"',
  "'",
  '&',
  '<',
  '>',
  '$user$',
  '%original_detection_search%',
  '`m`',
  '\t',
  ' ',
  '\u2028',
  'é',
  '😀',
  '\ud800',
  'ATT&CK',
  '### END MEM DETECTIONS ###',
  // NUL, VT, FF … are refused, not written (issue 12 case 7): their own test below.
);
const hostile = fc
  .array(fc.oneof(piece, fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 10 })
  .map((p) => `x${p.join('')}`);
const nameText = fc
  .array(
    fc.oneof(
      fc.constantFrom('"', "'", '&', '<', '>', '{{', '</', '[', ']', '=', '#', 'é', '$x$', '\\'),
      fc.string({ maxLength: 5 }),
    ),
    { maxLength: 6 },
  )
  .map((p) => `N ${p.join('')} n`);

interface Hostile {
  name: string;
  description: string;
  how: string;
  fp: string;
  search: string;
  message: string;
  drill: string;
  macroDef: string;
  storyNarrative: string;
}

function detection(h: Hostile, type: string, i: number) {
  return {
    name: h.name,
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    version: 1,
    date: '2025-01-02',
    author: 'a, b',
    status: 'production',
    type,
    description: h.description,
    search: h.search,
    how_to_implement: h.how,
    known_false_positives: h.fp,
    drilldown_searches: [
      {
        name: h.drill,
        search: `%original_detection_search% | search x="${h.drill}"`,
        earliest_offset: '$info_min_time$',
        latest_offset: '$info_max_time$',
      },
    ],
    tags: {
      analytic_story: ['Hostile Story'],
      asset_type: 'Endpoint',
      confidence: 50,
      impact: 50,
      message: h.message,
      mitre_attack_id: ['T1059'],
      observable: [{ name: 'dest', type: 'Hostname', role: ['Victim'] }],
      product: ['Splunk Enterprise'],
      required_fields: ['x'],
      risk_score: 25,
      security_domain: 'endpoint',
    },
  };
}

const hostileRecord = fc.record({
  name: nameText,
  description: hostile,
  how: hostile,
  fp: hostile,
  search: hostile,
  message: hostile,
  drill: hostile,
  macroDef: hostile,
  storyNarrative: hostile,
});

describe('issue 12 case 7: control characters are refused by the renderer, at their field', () => {
  const base: Hostile = {
    name: 'Control Test',
    description: 'd',
    how: 'h',
    fp: 'f',
    search: '| tstats count from datamodel=Endpoint.Processes by Processes.dest',
    message: 'm',
    drill: 'x',
    macroDef: 'search *',
    storyNarrative: 'n',
  };
  for (const ch of ['\x00', '\x0b', '\x0c', '\x1b', '\x7f'])
    for (const field of ['description', 'search', 'how', 'message'] as const)
      it(`U+${ch.charCodeAt(0).toString(16).padStart(4, '0')} in ${field}`, () => {
        const tree = memoryTree({}, [
          {
            kind: 'detection',
            relPath: 'detections/a.yml',
            data: detection({ ...base, [field]: `a${ch}b` }, 'TTP', 1),
          },
          { kind: 'detection', relPath: 'detections/b.yml', data: detection({ ...base, name: 'Clean' }, 'TTP', 2) },
        ]);
        const { files, diagnostics } = renderApp(tree);
        const errors = diagnostics.filter((d) => d.severity === 'error');
        expect(errors).toMatchObject([
          {
            file: 'detections/a.yml',
            rule: 'build-render',
            message: expect.stringMatching(/contains the control character U\+00/),
          },
        ]);
        expect(errors[0]!.line).toBeGreaterThan(0);
        for (const [path, bytes] of files)
          if (path.endsWith('.conf')) expect(/[\0\v\f\x1b\x7f]/.test(bytes.toString('latin1')), path).toBe(false);
        // The clean detection is still built.
        expect(files.get('default/savedsearches.conf')!.toString('utf8')).toContain('[MEM - Clean - Rule]');
      });
});

describe('hostile content cannot break out of .conf values', () => {
  it('every stanza and value round-trips exactly (property)', () => {
    fc.assert(
      fc.property(hostileRecord, (h) => {
        fc.pre(stanzaNameProblem(`MEM - ${h.name} - Rule`) === undefined);
        const tree = memoryTree({}, [
          { kind: 'detection', relPath: 'detections/a.yml', data: detection(h, 'TTP', 1) },
          {
            kind: 'detection',
            relPath: 'detections/b.yml',
            data: detection({ ...h, name: `${h.name} 2` }, 'Hunting', 2),
          },
          {
            kind: 'macro',
            relPath: 'macros/m.yml',
            data: {
              name: 'hostile_macro',
              arguments: ['a-b', 'c_d'],
              definition: h.macroDef,
              description: h.description,
            },
          },
          {
            kind: 'story',
            relPath: 'stories/s.yml',
            data: {
              name: 'Hostile Story',
              id: 's',
              version: 1,
              date: '2025-01-01',
              author: h.name,
              description: h.description,
              narrative: h.storyNarrative,
              tags: { category: ['Malware'], product: ['Splunk Enterprise'], usecase: 'Other' },
            },
          },
        ]);
        const { files, diagnostics } = renderApp(tree);
        expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        for (const [path, bytes] of files) if (path.endsWith('.conf')) expect(bytes.includes(0x0d)).toBe(false);

        const saved = confMap(files.get('default/savedsearches.conf')!.toString('utf8'));
        const ttp = `MEM - ${h.name} - Rule`;
        const hunting = `MEM - ${h.name} 2 - Rule`;
        expect([...saved.keys()]).toEqual([ttp, hunting]);
        const s = saved.get(ttp)!;
        expect(s.get('description')).toBe(splunkReadValue(h.description));
        expect(s.get('action.escu.eli5')).toBe(splunkReadValue(h.description));
        expect(s.get('action.escu.how_to_implement')).toBe(splunkReadValue(h.how));
        expect(s.get('action.escu.known_false_positives')).toBe(splunkReadValue(h.fp));
        expect(s.get('action.risk.param._risk_message')).toBe(splunkReadValue(h.message));
        expect(s.get('action.notable.param.rule_description')).toBe(splunkReadValue(h.description));
        expect(s.get('search')).toBe(splunkReadValue(h.search));
        expect(s.get('disabled')).toBe('true');
        expect(s.get('action.correlationsearch.label')).toBe(ttp);
        // JSON values are one line and decode to exactly the YAML values (drilldown placeholder expanded).
        const drill = JSON.parse(s.get('action.notable.param.drilldown_searches')!) as {
          name: string;
          search: string;
        }[];
        const wellFormed = (x: string) =>
          x.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
        const expectedSearch = `%original_detection_search% | search x="${h.drill}"`
          .split('%original_detection_search%')
          .join(h.search);
        expect(drill.map((d) => [wellFormed(d.name), wellFormed(d.search)])).toEqual([
          [wellFormed(h.drill), wellFormed(expectedSearch)],
        ]);
        expect(JSON.parse(s.get('action.correlationsearch.metadata')!).detection_version).toBe('1');
        expect(saved.get(hunting)!.get('search')).toBe(splunkReadValue(h.search));

        const macros = confMap(files.get('default/macros.conf')!.toString('utf8'));
        expect(macros.get('hostile_macro(2)')).toEqual(
          new Map([
            ['args', 'a-b, c_d'],
            ['definition', splunkReadValue(h.macroDef)],
            ['description', splunkReadValue(h.description)],
          ]),
        );
        expect(macros.get(filterMacroName(h.name))!.get('definition')).toBe('search *');

        const stories = confMap(files.get('default/analyticstories.conf')!.toString('utf8'));
        expect([...stories.keys()]).toEqual([
          `savedsearch://${ttp}`,
          `savedsearch://${hunting}`,
          'analytic_story://Hostile Story',
        ]);
        const story = stories.get('analytic_story://Hostile Story')!;
        expect(story.get('narrative')).toBe(splunkReadValue(h.storyNarrative));
        expect(JSON.parse(story.get('searches')!)).toEqual([ttp, hunting]);
      }),
      { numRuns: 120 },
    );
  });

  it('quotes and angle brackets reach the file unchanged, not HTML-escaped', () => {
    const h: Hostile = {
      name: `Quote "A" & <B> 'C'`,
      description: `a "b" <c> & 'd'`,
      how: '<x>',
      fp: '&amp;',
      search: `| search a="1" b<2 c>3 "ATT&CK" 'q'`,
      message: '<b>$dest$</b>',
      drill: 'd',
      macroDef: '`m`',
      storyNarrative: 'n',
    };
    const tree = memoryTree({}, [{ kind: 'detection', relPath: 'detections/a.yml', data: detection(h, 'TTP', 1) }]);
    const saved = renderApp(tree).files.get('default/savedsearches.conf')!.toString('utf8');
    expect(saved).toContain(`[MEM - Quote "A" & <B> 'C' - Rule]`);
    expect(saved).toContain(`\nsearch = | search a="1" b<2 c>3 "ATT&CK" 'q'\n`);
    expect(saved).toContain('\naction.risk.param._risk_message = <b>$dest$</b>\n');
    expect(saved).toContain('\naction.escu.known_false_positives = &amp;\n');
    expect(saved).not.toMatch(/&quot;|&#x27;|&lt;|&gt;|&#39;/);
  });

  it('a name that cannot be a stanza name is refused with a positioned error, not written', () => {
    const base: Hostile = {
      name: 'ok',
      description: 'd',
      how: 'h',
      fp: 'f',
      search: 's',
      message: 'm',
      drill: 'x',
      macroDef: 'm',
      storyNarrative: 'n',
    };
    const tree = memoryTree({}, [
      {
        kind: 'detection',
        relPath: 'detections/bad.yml',
        data: detection({ ...base, name: 'Bad\n[injected]' }, 'TTP', 1),
      },
      {
        kind: 'detection',
        relPath: 'detections/bad2.yml',
        data: detection({ ...base, name: 'Carriage\rReturn' }, 'TTP', 2),
      },
      { kind: 'detection', relPath: 'detections/good.yml', data: detection(base, 'TTP', 3) },
    ]);
    const { files, diagnostics } = renderApp(tree);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => [d.file, d.rule])).toEqual([
      ['detections/bad.yml', 'build-render'],
      ['detections/bad2.yml', 'build-render'],
    ]);
    expect(errors[0]!.line).toBeGreaterThan(1); // positioned at the name
    expect([...confMap(files.get('default/savedsearches.conf')!.toString('utf8')).keys()]).toEqual(['MEM - ok - Rule']);
  });

  it('a value ending in a backslash or holding a CR is written safely and reported as a warning', () => {
    const base: Hostile = {
      name: 'ok',
      description: 'C:\\Windows\\',
      how: 'a\r\nb',
      fp: 'f',
      search: 's',
      message: 'm',
      drill: 'x',
      macroDef: 'm',
      storyNarrative: 'n',
    };
    const { files, diagnostics } = renderApp(
      memoryTree({}, [{ kind: 'detection', relPath: 'detections/a.yml', data: detection(base, 'TTP', 1) }]),
    );
    expect(diagnostics.map((d) => [d.severity, d.rule])).toEqual([
      ['warning', 'conf-value'],
      ['warning', 'conf-value'],
    ]);
    const s = confMap(files.get('default/savedsearches.conf')!.toString('utf8')).get('MEM - ok - Rule')!;
    expect(s.get('description')).toBe('C:\\Windows\\ ');
    expect(s.get('action.escu.how_to_implement')).toBe('a \nb');
    expect(s.get('action.escu.known_false_positives')).toBe('f');
  });

  it('malformed content is reported, never thrown', () => {
    const tree = memoryTree({}, [
      {
        kind: 'detection',
        relPath: 'detections/a.yml',
        data: { name: 'x', type: 'TTP', status: 'production', tags: 'nope' },
      },
      { kind: 'detection', relPath: 'detections/b.yml', data: ['a list'] },
      { kind: 'macro', relPath: 'macros/m.yml', data: { name: 'm', definition: 'x', arguments: ['bad arg!'] } },
      { kind: 'lookup', relPath: 'lookups/l.yml', data: { name: 'l', filename: '../../etc/passwd' } },
      { kind: 'lookup', relPath: 'lookups/k.yml', data: { name: 'k', filename: 'missing.csv' } },
    ]);
    const { diagnostics } = renderApp(tree);
    expect(diagnostics.map((d) => d.file)).toEqual([
      'detections/a.yml',
      'detections/b.yml',
      'macros/m.yml',
      'lookups/l.yml',
      'lookups/k.yml',
    ]);
    expect(diagnostics.every((d) => d.severity === 'error')).toBe(true);
  });

  it('refuses an app id that could leave the output folder', () => {
    const { diagnostics } = renderApp(memoryTree({ appid: '../evil' }, []));
    expect(diagnostics.map((d) => d.rule)).toEqual(['build-config']);
  });
});
