import { describe, expect, it } from 'vitest';
import { documentModel, valuesOf } from './document.js';
import { itemOf } from './tree.js';
import { parseYamlText, positionOfPath } from './yaml-file.js';

const DETECTION = `name: Demo
id: 11111111-2222-4333-8444-555555555555
version: five
search: '| tstats count from datamodel=Endpoint.Processes'
tags:
  confidence: 50
  impact: 50
  risk_score: 25
  mitre_attack_id:
  - T1059
  - 42
  - T1059.001
  observable:
  - name: dest
    type: Hostname
    role: [Victim]
  - not a mapping
`;

describe('the typed content model', () => {
  const file = parseYamlText(DETECTION, '/c/detections/demo.yml', 'detections/demo.yml');
  const d = itemOf('detection', file).model!;

  it('types every field it models; a value of the wrong type keeps its raw value and its path', () => {
    expect(d.kind).toBe('detection');
    expect(d.name.value).toBe('Demo');
    expect(d.version).toEqual({ value: undefined, raw: 'five', path: ['version'] });
    expect(d.date).toEqual({ value: undefined, raw: undefined, path: ['date'] });
    expect(d.tags.value?.risk_score.value).toBe(25);
  });

  it('list elements keep their index, so a bad one is reported where it is', () => {
    const ids = d.tags.value!.mitre_attack_id;
    expect(ids.value!.map((f) => [f.value, f.path])).toEqual([
      ['T1059', ['tags', 'mitre_attack_id', 0]],
      [undefined, ['tags', 'mitre_attack_id', 1]],
      ['T1059.001', ['tags', 'mitre_attack_id', 2]],
    ]);
    expect(valuesOf(ids)).toEqual(['T1059', 'T1059.001']);
    expect(positionOfPath(file, ids.value![1]!.path)).toEqual({ line: 11, column: 5 });
    const obs = d.tags.value!.observable.value!;
    expect(obs[0]!.value!.role.value!.map((f) => f.value)).toEqual(['Victim']);
    expect(obs[1]).toEqual({ value: undefined, raw: 'not a mapping', path: ['tags', 'observable', 1] });
  });

  it('a document that is not a mapping has no model', () => {
    expect(documentModel('detection', ['a list'])).toBeUndefined();
    expect(itemOf('macro', parseYamlText('- x\n', '/c/macros/x.yml', 'macros/x.yml')).model).toBeUndefined();
  });

  it('sees past duplicate keys (the last value wins, as in PyYAML) while the YAML error stays reported', () => {
    const f = parseYamlText('name: A\nname: B\ndefinition: x\n', '/c/macros/b.yml', 'macros/b.yml');
    const item = itemOf('macro', f);
    expect(f.diagnostics.map((x) => x.rule)).toEqual(['yaml-duplicate-key']);
    expect(item.data).toBeUndefined();
    expect(item.model?.name.value).toBe('B');
  });
});
