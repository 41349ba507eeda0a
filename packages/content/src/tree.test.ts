import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { loadContent } from './tree.js';

function tempTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'dac-content-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

describe('loadConfig', () => {
  it('reads dac.config.yaml and resolves the app version from version_from', () => {
    const root = tempTree({
      'dac.config.yaml':
        'app:\n  appid: DA-X\n  title: X\n  label: XL\n  version_from: app/package.json\nrules:\n  risk-score: warning\n  bogus: nope\n',
      'app/package.json': '{"version": "2.3.4"}',
    });
    const { config, diagnostics } = loadConfig(root);
    expect(diagnostics).toEqual([]);
    expect(config.app).toMatchObject({ appid: 'DA-X', title: 'X', label: 'XL', prefix: 'XL', version: '2.3.4' });
    expect(config.rules).toEqual({ 'risk-score': 'warning' });
    expect(config.source).toBe('dac.config.yaml');
  });

  it('reports an unreadable version_from at the key', () => {
    const root = tempTree({ 'dac.config.yaml': 'app:\n  appid: A\n  version_from: nope.json\n' });
    const { diagnostics } = loadConfig(root);
    expect(diagnostics).toMatchObject([{ file: 'dac.config.yaml', line: 3, column: 17, rule: 'config' }]);
  });

  it('falls back to an ESCU contentctl.yml so an ESCU checkout works unchanged', () => {
    const root = tempTree({
      'contentctl.yml':
        'path: .\napp:\n  uid: 3449\n  appid: DA-ESS-ContentUpdate\n  title: ES Content Updates\n  version: 4.42.0\n  prefix: ESCU\n  label: ESCU\n',
    });
    const { config } = loadConfig(root);
    expect(config.source).toBe('contentctl.yml');
    expect(config.app).toMatchObject({ appid: 'DA-ESS-ContentUpdate', version: '4.42.0', label: 'ESCU', uid: 3449 });
  });

  it('test.attack_data (relative to the root, or ~/) and test.download_from say where dac test finds attack data', () => {
    const root = tempTree({
      'dac.config.yaml': 'test:\n  attack_data: ../attack_data\n  download_from: https://mirror.example.com/ad\n',
    });
    expect(loadConfig(root).config.test).toEqual({
      attackData: join(root, '..', 'attack_data'),
      downloadFrom: 'https://mirror.example.com/ad',
    });
    const home = tempTree({ 'dac.config.yaml': 'test:\n  attack_data: ~/src/attack_data\n' });
    expect(loadConfig(home).config.test?.attackData).toBe(join(homedir(), 'src/attack_data'));
  });

  it("an ESCU contentctl.yml's test_data_caches entry for attack_data is the clone (contentctl 5)", () => {
    const root = tempTree({
      'contentctl.yml':
        'app:\n  appid: A\ntest_data_caches:\n- base_url: https://example.com/other/\n  base_directory_name: external_repos/other\n- base_url: https://media.githubusercontent.com/media/splunk/attack_data/master/\n  base_directory_name: external_repos/attack_data\n',
    });
    expect(loadConfig(root).config.test).toEqual({ attackData: join(root, 'external_repos/attack_data') });
  });
});

describe('loadContent', () => {
  it('discovers every content kind in sorted order and keeps file problems as diagnostics', () => {
    const root = tempTree({
      'detections/endpoint/b.yml': 'name: B\n',
      'detections/endpoint/a.yml': 'name: A\n',
      'detections/cloud/c.yml': 'name: [broken\n',
      'macros/m.yml': 'name: m\ndefinition: x\n',
      'stories/s.yml': 'name: S\n',
      'data_sources/d.yml': 'name: D\n',
      'lookups/l.yml': 'name: l\n',
      'lookups/l.csv': 'a,b\n',
      'notcontent/x.yml': 'name: X\n',
    });
    const tree = loadContent(root);
    expect(tree.detections.map((d) => d.file.relPath)).toEqual([
      'detections/cloud/c.yml',
      'detections/endpoint/a.yml',
      'detections/endpoint/b.yml',
    ]);
    expect(tree.macros).toHaveLength(1);
    expect(tree.stories).toHaveLength(1);
    expect(tree.dataSources).toHaveLength(1);
    expect(tree.lookups).toHaveLength(1);
    expect(tree.lookupFiles).toEqual(['lookups/l.csv']);
    expect(tree.items).toHaveLength(7);
    expect(tree.detections[0]!.data).toBeUndefined();
    expect(tree.diagnostics.some((d) => d.file === 'detections/cloud/c.yml' && d.severity === 'error')).toBe(true);
    expect(tree.detections[1]!.data).toEqual({ name: 'A' });
  });
});
