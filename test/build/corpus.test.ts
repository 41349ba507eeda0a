/** Optional: the real ESCU corpus (skipped when ../shared is absent). */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadContent } from '@dac/content';
import { splunkReadValue } from '@dac/conf';
import { renderApp } from '@dac/splunk-app';
import { confMap, CORPUS } from './helpers.js';

describe.skipIf(!existsSync(CORPUS))('ESCU corpus build', () => {
  it('renders every buildable detection into a savedsearches.conf that reads back exactly', () => {
    const tree = loadContent(CORPUS);
    const exclude = new Set(tree.diagnostics.filter((d) => d.severity === 'error').map((d) => d.file));
    const { files, view, diagnostics } = renderApp(tree, { exclude });
    const renderErrors = diagnostics.filter((d) => d.severity === 'error');
    // Files the loader could not parse are excluded; everything else must render.
    expect(renderErrors).toEqual([]);
    expect(view.detections.length).toBeGreaterThan(1100);
    const saved = confMap(files.get('default/savedsearches.conf')!.toString('utf8'));
    expect(saved.size).toBe(view.detections.length);
    // Detections calling a macro the build left out are left out too (issue 12 case 8: ESCU's
    // base64decode.yml does not parse, so its caller goes), each with a build-dependency warning.
    const dependents = new Set(diagnostics.filter((d) => d.rule === 'build-dependency').map((d) => d.file));
    expect([...dependents]).toEqual(['detections/endpoint/windows_alternate_datastream___base64_content.yml']);
    for (const d of tree.detections) {
      if (exclude.has(d.file.relPath) || dependents.has(d.file.relPath) || !d.data) continue;
      const s = saved.get(`ESCU - ${d.data.name} - Rule`)!;
      expect(s.get('search')).toBe(splunkReadValue(d.data.search));
      expect(s.get('action.escu.known_false_positives')).toBe(splunkReadValue(d.data.known_false_positives));
    }
    const macros = confMap(files.get('default/macros.conf')!.toString('utf8'));
    expect(macros.get('security_content_ctime(1)')!.get('args')).toBe('field');
    const transforms = confMap(files.get('default/transforms.conf')!.toString('utf8'));
    expect(transforms.get('3cx_ioc_domains')!.get('match_type')).toBe('WILDCARD(domain)');
    expect(files.has('lookups/3cx_ioc_domains.csv')).toBe(true);
  }, 120_000);
});
