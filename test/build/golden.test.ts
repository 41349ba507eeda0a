import { describe, expect, it } from 'vitest';
import { loadContent } from '@dac/content';
import { renderApp } from '@dac/splunk-app';
import { confMap, expectGolden, FIXTURE, REPO_ROOT, stanzaText } from './helpers.js';

const NGROK = 'ESCU - Windows Ngrok Reverse Proxy Usage - Rule';

describe('golden: the seed detection (Windows Ngrok Reverse Proxy Usage) as contentctl 4.4.1 renders it', () => {
  const tree = loadContent(REPO_ROOT);
  const { files, diagnostics } = renderApp(tree);
  const saved = files.get('default/savedsearches.conf')!.toString('utf8');
  const ngrokSearch = tree.detections.find((d) => d.data?.name === 'Windows Ngrok Reverse Proxy Usage')!.data!.search;

  it('renders without errors', () => {
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('matches the golden stanza byte for byte', () => {
    expectGolden('ngrok.savedsearches.stanza.conf', stanzaText(saved, NGROK));
  });

  it('carries the values of the worked example (escu-app-format.md §4.5)', () => {
    const s = confMap(saved).get(NGROK)!;
    expect(s.get('action.escu')).toBe('0');
    expect(s.get('action.escu.enabled')).toBe('1');
    expect(s.get('action.escu.mappings')).toBe(
      '{"cis20": ["CIS 10"], "mitre_attack": ["T1572", "T1090", "T1102"], "nist": ["DE.AE"]}',
    );
    expect(s.get('action.escu.data_models')).toBe('["Endpoint"]');
    expect(s.get('action.escu.creation_date')).toBe('2024-09-30');
    expect(s.get('action.escu.modification_date')).toBe('2024-09-30');
    expect(s.get('action.escu.analytic_story')).toBe('["Reverse Network Proxy", "CISA AA22-320A", "CISA AA24-241A"]');
    expect(s.get('action.risk')).toBe('1');
    expect(s.get('action.risk.param._risk_message')).toBe(
      'A reverse proxy was identified spawning from $parent_process_name$ - $process_name$ on endpoint $dest$ by user $user$.',
    );
    expect(JSON.parse(s.get('action.risk.param._risk')!)).toEqual([
      { risk_object_field: 'user', risk_object_type: 'user', risk_score: 50 },
      { risk_object_field: 'dest', risk_object_type: 'system', risk_score: 50 },
      { threat_object_field: 'parent_process_name', threat_object_type: 'process' },
      { threat_object_field: 'process_name', threat_object_type: 'process' },
    ]);
    expect(s.get('action.risk.param._risk_score')).toBe('0');
    expect(s.get('cron_schedule')).toBe('0 * * * *');
    expect(s.get('dispatch.earliest_time')).toBe('-70m@m');
    expect(s.get('dispatch.latest_time')).toBe('-10m@m');
    expect(s.get('schedule_window')).toBe('auto');
    expect(s.get('action.correlationsearch.enabled')).toBe('1');
    expect(s.get('action.correlationsearch.label')).toBe(NGROK);
    expect(s.get('action.correlationsearch.metadata')).toBe(
      '{"deprecated": "0", "detection_id": "e2549f2c-0aef-408a-b0c1-e0f270623436", "detection_version": "5", "publish_time": 1727654400.0}',
    );
    expect(s.get('disabled')).toBe('true');
    expect(s.has('action.notable')).toBe(false); // Anomaly: risk only
    const drill = JSON.parse(s.get('action.notable.param.drilldown_searches')!) as { search: string }[];
    expect(drill).toHaveLength(2);
    expect(drill[0]!.search).toBe(`${ngrokSearch} | search user = "$user$" dest = "$dest$"`);
    expect(s.get('action.notable.param.drilldown_searches')).toContain('as \\"ATT\\u0026CK Tactics\\" by');
    expect(s.get('search')).toBe(ngrokSearch);
  });

  it('lists the generated filter macro as `search *` (escu-app-format.md §4.7)', () => {
    const macros = confMap(files.get('default/macros.conf')!.toString('utf8'));
    expect(macros.get('windows_ngrok_reverse_proxy_usage_filter')!.get('definition')).toBe('search *');
    expect(macros.get('security_content_ctime(1)')!.get('args')).toBe('field');
  });

  it('wraps the stanzas in the detection markers inspect relies on (escu-app-format.md §7)', () => {
    expect(saved).toMatch(/\n### ESCU DETECTIONS ###\n\n\[ESCU - /);
    expect(saved.endsWith('\n### END ESCU DETECTIONS ###\n')).toBe(true);
  });
});

describe('golden: fixture content with one TTP and one Hunting detection', () => {
  const tree = loadContent(FIXTURE);
  const { files, diagnostics } = renderApp(tree);
  const text = (p: string) => files.get(p)!.toString('utf8');

  it('renders without diagnostics', () => {
    expect(diagnostics).toEqual([]);
  });

  it('produces the app tree contentctl produces, plus the lookups of the content', () => {
    expect([...files.keys()]).toEqual([
      'README.md',
      'app.manifest',
      'default/analyticstories.conf',
      'default/app.conf',
      'default/collections.conf',
      'default/content-version.conf',
      'default/data/ui/nav/default.xml',
      'default/macros.conf',
      'default/savedsearches.conf',
      'default/server.conf',
      'default/transforms.conf',
      'lookups/fixture_lolbas_lookup.csv',
      'lookups/mitre_enrichment.csv',
      'metadata/default.meta',
    ]);
  });

  for (const f of [
    'default/savedsearches.conf',
    'default/analyticstories.conf',
    'default/macros.conf',
    'default/transforms.conf',
    'default/collections.conf',
    'default/app.conf',
    'default/content-version.conf',
    'default/server.conf',
    'app.manifest',
    'README.md',
  ]) {
    it(`matches golden ${f}`, () => expectGolden(`fixture/${f.replace(/\//g, '__')}`, text(f)));
  }

  it('TTP: risk and notable blocks, risk score round(50×25/100) = 12 with Python rounding', () => {
    const s = confMap(text('default/savedsearches.conf')).get('FIX - Certutil Download With URLCache - Rule')!;
    expect(s.get('action.risk')).toBe('1');
    expect(JSON.parse(s.get('action.risk.param._risk')!)[0]).toEqual({
      risk_object_field: 'user',
      risk_object_type: 'user',
      risk_score: 12,
    });
    expect(s.get('action.notable')).toBe('1');
    expect(s.get('action.notable.param.rule_title')).toBe('Certutil Download With URLCache');
    expect(s.get('action.notable.param.nes_fields')).toBe('user,dest');
    expect(s.get('action.escu.atomic_red_team_guids')).toBe('["dd3b61dd-7bbc-48cd-ab51-49ad1a776df0"]');
    expect(s.get('action.escu.mappings')).toContain('"nist": ["DE.CM"]');
    expect(s.get('description')).toContain('"the Internet" & stage them <before> execution');
    expect(s.get('action.escu.how_to_implement')).toBe(
      'Ingest process creation events with full command lines (Sysmon EventID 1) \nand map them to the Endpoint.Processes data model.',
    );
  });

  it('Hunting: no risk, no notable, but every escu and correlationsearch key, a schedule and disabled = true', () => {
    const s = confMap(text('default/savedsearches.conf')).get('FIX - Windows Rare Parent Of Cmd Hunting - Rule')!;
    expect(s.has('action.risk')).toBe(false);
    expect(s.has('action.notable')).toBe(false);
    expect(s.get('action.correlationsearch.enabled')).toBe('1');
    expect(s.get('cron_schedule')).toBe('0 * * * *');
    expect(s.get('disabled')).toBe('true');
    expect(s.get('action.notable.param.drilldown_searches')).toBe('[]');
    expect(s.get('description')).toMatch(/^\*\*WARNING\*\*, this detection is marked \*\*EXPERIMENTAL\*\*/);
    expect(s.get('search')!.split('\n')).toHaveLength(5);
  });

  it('lookups: csv in transforms.conf, kvstore in collections.conf, mitre_enrichment always', () => {
    const t = confMap(text('default/transforms.conf'));
    expect(t.get('fixture_lolbas_lookup')).toEqual(
      new Map([
        ['filename', 'fixture_lolbas_lookup.csv'],
        ['default_match', 'false'],
        ['case_sensitive_match', 'false'],
        ['match_type', 'WILDCARD(process_name)'],
        ['min_matches', '1'],
      ]),
    );
    expect(t.get('fixture_baseline_collection')).toEqual(
      new Map([
        ['collection', 'fixture_baseline_collection'],
        ['external_type', 'kvstore'],
        ['fields_list', '_key, dest, count'],
      ]),
    );
    expect(t.get('mitre_enrichment')!.get('filename')).toBe('mitre_enrichment.csv');
    expect(confMap(text('default/collections.conf')).get('fixture_baseline_collection')).toEqual(
      new Map([
        ['enforceTypes', 'false'],
        ['replicate', 'false'],
      ]),
    );
  });

  it('app.conf and app.manifest carry the configured version', () => {
    const app = confMap(text('default/app.conf'));
    expect(app.get('launcher')!.get('version')).toBe('2.3.4');
    expect(app.get('id')!.get('version')).toBe('2.3.4');
    expect(app.get('package')!.get('id')).toBe('DAC-Build-Fixture');
    expect(JSON.parse(text('app.manifest')).info.id).toEqual({
      group: null,
      name: 'DAC-Build-Fixture',
      version: '2.3.4',
    });
  });
});
