import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { validate } from '../validate.js';
import { RULES } from './index.js';
import { pythonRound } from '@dac/content';
import { isCalendarDate } from './date.js';
import { DETECTION, detectionWith, writeTree } from '../testing.js';

const DET = 'detections/endpoint/demo_process_detection.yml';
let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

async function run(overrides: Record<string, string | null> = {}) {
  const t = writeTree(overrides);
  cleanups.push(t.cleanup);
  return validate({ root: t.root, workers: 0 });
}

/** Line (1-based) and column of the first occurrence of `needle` in `text`. */
function at(text: string, needle: string, nth = 0): { line: number; column: number } {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
  if (i < 0) throw new Error(`${needle} not found`);
  const before = text.slice(0, i).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

describe('rule registry', () => {
  it('every rule is documented in docs/validation.md', () => {
    const doc = readFileSync(new URL('../../../../docs/validation.md', import.meta.url), 'utf8');
    for (const r of RULES) expect(doc, r.id).toContain(`\`${r.id}\``);
  });

  it('has unique ids, descriptions and valid default severities', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RULES) {
      expect(r.description.length).toBeGreaterThan(10);
      expect(['error', 'warning']).toContain(r.defaultSeverity);
    }
  });
});

describe('semantic rules (escu-app-format.md §3)', () => {
  it('the base tree is clean', async () => {
    const r = await run();
    expect(r.diagnostics).toEqual([]);
  });

  it('file-name: file must be snake_case(name).yml', async () => {
    const r = await run({ [DET]: null, 'detections/endpoint/demo_detection.yml': DETECTION });
    expect(r.diagnostics).toMatchObject([
      { rule: 'file-name', file: 'detections/endpoint/demo_detection.yml', ...at(DETECTION, 'Demo Process Detection') },
    ]);
    expect(r.diagnostics[0]!.message).toContain('demo_process_detection.yml');
  });

  it('unique-id: the same id in two files (any kinds) is reported at both', async () => {
    const story = `name: Demo Process Detection Story\nid: 11111111-2222-4333-8444-555555555555\nversion: 1\ndate: '2024-01-01'\nauthor: A, B\ndescription: d\nnarrative: n\ntags:\n  category: [Malware]\n  product: [Splunk Cloud]\n  usecase: Other\n`;
    const r = await run({ 'stories/demo_process_detection_story.yml': story });
    expect(r.diagnostics.map((d) => [d.rule, d.file, d.line])).toEqual([
      ['unique-id', DET, 2],
      ['unique-id', 'stories/demo_process_detection_story.yml', 2],
    ]);
  });

  it('unique-name: the same name in two kinds is reported', async () => {
    const ds = `name: Demo Story\nid: 41111111-2222-4333-8444-555555555555\ndescription: d\nsource: s\nsourcetype: st\n`;
    const r = await run({ 'data_sources/demo_story.yml': ds });
    expect(r.diagnostics.map((d) => [d.rule, d.file])).toEqual([
      ['unique-name', 'data_sources/demo_story.yml'],
      ['unique-name', 'stories/demo_story.yml'],
    ]);
  });

  it('date: not a calendar date, and in the future', async () => {
    let r = await run({ [DET]: detectionWith("'2024-05-01'", "'2023-02-29'") });
    expect(r.diagnostics).toMatchObject([{ rule: 'date', line: 4, column: 7 }]);
    r = await run({ [DET]: detectionWith("'2024-05-01'", "'2999-01-01'") });
    expect(r.diagnostics).toMatchObject([{ rule: 'date', line: 4, column: 7 }]);
    expect(r.diagnostics[0]!.message).toContain('future');
  });

  it('date: calendar arithmetic', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('1900-02-29')).toBe(false);
    expect(isCalendarDate('2000-02-29')).toBe(true);
    expect(isCalendarDate('2024-04-31')).toBe(false);
    expect(isCalendarDate('2024-00-10')).toBe(false);
  });

  it('risk-score: must equal round(confidence*impact/100)', async () => {
    const text = detectionWith('risk_score: 40', 'risk_score: 41');
    const r = await run({ [DET]: text });
    expect(r.diagnostics).toMatchObject([{ rule: 'risk-score', ...at(text, '41') }]);
  });

  it('risk-score rounds like Python (half to even), as contentctl computes it', () => {
    expect(pythonRound(50 * 25, 100)).toBe(12); // 12.5 → 12
    expect(pythonRound(70 * 25, 100)).toBe(18); // 17.5 → 18
    expect(pythonRound(80 * 50, 100)).toBe(40);
    expect(pythonRound(33 * 33, 100)).toBe(11); // 10.89
  });

  it('mitre-attack-id: unknown technique, at the list item', async () => {
    const text = detectionWith('  - T1572', '  - T1572\n  - T9999\n  - T1059.999');
    const r = await run({ [DET]: text });
    expect(r.diagnostics.map((d) => [d.rule, d.line, d.column])).toEqual([
      ['mitre-attack-id', at(text, 'T9999').line, at(text, 'T9999').column],
      ['mitre-attack-id', at(text, 'T1059.999').line, at(text, 'T1059.999').column],
    ]);
    expect(r.diagnostics[1]!.message).toContain('T1059');
  });

  it('mitre-sub-technique: technique with its own sub-technique is a warning', async () => {
    const text = detectionWith('  - T1572', '  - T1059\n  - T1059.001');
    const r = await run({ [DET]: text });
    expect(r.diagnostics).toMatchObject([{ rule: 'mitre-sub-technique', severity: 'warning', ...at(text, 'T1059') }]);
    expect(r.errors).toBe(0);
  });

  it('filter-macro: search must call `<snake_name>_filter`', async () => {
    const text = detectionWith('`demo_process_detection_filter`', '`other_filter`');
    const r = await run({ [DET]: text });
    const f = r.diagnostics.filter((d) => d.rule === 'filter-macro');
    expect(f).toMatchObject([{ ...at(text, "'| tstats") }]);
    expect(f[0]!.message).toContain('demo_process_detection_filter');
  });

  it('unknown-story: names a story in stories/, listed once', async () => {
    const text = detectionWith('  - Demo Story', '  - Demo Story\n  - Demo Stroy\n  - Demo Story');
    const r = await run({ [DET]: text });
    expect(r.diagnostics.map((d) => [d.rule, d.line])).toEqual([
      ['unknown-story', at(text, 'Demo Stroy').line],
      ['unknown-story', at(text, '  - Demo Story', 1).line],
    ]);
    expect(r.diagnostics[0]!.message).toContain('did you mean "Demo Story"');
    expect(r.diagnostics[1]!.message).toContain('twice');
  });

  it('unknown-story: a story whose YAML is broken is reported there, not at every reference', async () => {
    const r = await run({ 'stories/demo_story.yml': "name: 'Demo Story\nid: x\n" });
    expect(r.diagnostics.map((d) => d.rule)).toEqual(['yaml-syntax']);
  });

  it('unknown-data-source: each part of an "A AND B" entry must exist, positioned at the part', async () => {
    const text = detectionWith('- Demo Source\n', '- Demo Source AND Missing Source\n');
    const r = await run({ [DET]: text });
    expect(r.diagnostics).toMatchObject([{ rule: 'unknown-data-source', ...at(text, 'Missing Source') }]);
  });

  it('stanza-length: "ESCU - <name> - Rule" ≤ 81 characters', async () => {
    const long = 'Demo Process Detection With A Name That Is Much Too Long For Splunk X';
    const text = detectionWith('name: Demo Process Detection', `name: ${long}`).replace(
      'demo_process_detection_filter',
      `${long.toLowerCase().replace(/ /g, '_')}_filter`,
    );
    const file = `detections/endpoint/${long.toLowerCase().replace(/ /g, '_')}.yml`;
    const r = await run({ [DET]: null, [file]: text });
    expect(r.diagnostics).toMatchObject([{ rule: 'stanza-length', line: 1, column: 7 }]);
    expect(r.diagnostics[0]!.message).toContain('67');
  });
});

describe('severity configuration (dac.config.yaml rules:)', () => {
  it('overrides a rule to warning, or turns it off', async () => {
    const text = detectionWith('risk_score: 40', 'risk_score: 41');
    let r = await run({
      [DET]: text,
      'dac.config.yaml': 'app:\n  appid: X\n  title: T\nrules:\n  risk-score: warning\n',
    });
    expect(r.diagnostics).toMatchObject([{ rule: 'risk-score', severity: 'warning' }]);
    expect(r.errors).toBe(0);
    r = await run({ [DET]: text, 'dac.config.yaml': 'app:\n  appid: X\n  title: T\nrules:\n  risk-score: "off"\n' });
    expect(r.diagnostics).toEqual([]);
  });

  it('warns about an unknown rule id in the config, at the key', async () => {
    const r = await run({ 'dac.config.yaml': 'app:\n  appid: X\n  title: T\nrules:\n  risk-scor: warning\n' });
    expect(r.diagnostics).toMatchObject([
      { rule: 'config', file: 'dac.config.yaml', line: 5, column: 3, severity: 'warning' },
    ]);
  });

  it('validates the config against schemas/config.schema.json', async () => {
    const r = await run({ 'dac.config.yaml': 'app:\n  appid: bad id!\n  title: T\nrules:\n  risk-score: loud\n' });
    expect(r.diagnostics.map((d) => [d.rule, d.line, d.column])).toEqual([
      ['schema', 2, 10],
      ['schema', 5, 15],
    ]);
  });

  it('uses the config label for the stanza length', async () => {
    const r = await run({ 'dac.config.yaml': `app:\n  appid: X\n  title: T\n  label: ${'L'.repeat(50)}\n` });
    expect(r.diagnostics.map((d) => d.rule)).toEqual(['stanza-length']);
  });
});

describe('lookup-file (contentctl ≥ 4.1.5 lookups folder rules)', () => {
  it('a missing CSV, an orphan CSV and a foreign file type', async () => {
    const r = await run({
      'lookups/demo_lookup.yml': 'name: demo_lookup\ndescription: demo.\nfilename: demo_lookup_v2.csv\n',
      'lookups/notes.txt': 'x',
      'lookups/old_list.csv': 'a\n1\n',
    });
    expect(r.diagnostics.map((d) => [d.rule, d.file, d.line, d.column])).toEqual([
      ['lookup-file', 'lookups/demo_lookup.yml', 3, 11],
      ['lookup-file', 'lookups/notes.txt', 1, 1],
      ['lookup-file', 'lookups/old_list.csv', 1, 1],
    ]);
  });
});
