// The golden files under test/build/golden/ are compared byte for byte with fresh renders in
// golden.test.ts, and that comparison alone would accept any golden that was regenerated from a
// wrong render (UPDATE_GOLDEN=1). This file checks the golden files themselves, independently of
// dac's templates and view model: it reads them from disk with the .conf reader, reads the content
// YAML with the `yaml` library (not dac's loader), derives what each file must say from the
// rules in escu-app-format.md §4 (contentctl 4.4.1), and compares.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { confToMap, parseConf } from '@dac/conf';
import { FIXTURE, GOLDEN, REPO_ROOT } from './helpers.js';

type Yaml = Record<string, unknown> & {
  name: string;
  tags: Record<string, unknown>;
};
interface Detection extends Yaml {
  id: string;
  version: number;
  date: string;
  status: string;
  type: string;
  description: string;
  search: string;
  how_to_implement: string;
  known_false_positives: string;
  drilldown_searches?: { name: string; search: string; earliest_offset: string | null; latest_offset: string | null }[];
}

const readYaml = <T>(path: string) => parseYaml(readFileSync(path, 'utf8')) as T;
const yamlDir = <T>(dir: string): T[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.yml'))
    .map((e) => readYaml<T>(join(e.parentPath, e.name)))
    .sort((a, b) => String((a as Yaml).name).localeCompare(String((b as Yaml).name)));

/** A golden .conf file, parsed; it must parse without problems. */
function golden(name: string): Map<string, Map<string, string>> {
  const parsed = parseConf(readFileSync(join(GOLDEN, name), 'utf8'));
  expect(parsed.problems, name).toEqual([]);
  return confToMap(parsed);
}
const stanzaNames = (name: string) =>
  parseConf(readFileSync(join(GOLDEN, name), 'utf8'))
    .stanzas.map((s) => s.name)
    .filter((n) => n !== null);

/** contentctl's escapeNewlines (§4.3): strip, then each newline becomes ` \` + newline; the reader keeps ` \n`. */
const escaped = (s: string) => s.trim().replace(/\n/g, ' \n');
/** Python's round(): halves go to the even neighbour (round(12.5) = 12). */
const pyRound = (x: number) => {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
};
/** Epoch seconds of a YYYY-MM-DD date at 00:00 UTC, as Python writes a float (`1727654400.0`). */
const publishTime = (date: string) => `${Date.parse(`${date}T00:00:00Z`) / 1000}.0`;
const snake = (name: string) => name.toLowerCase().replace(/[ \-./]/g, '_');

/** §3.4: observables → risk objects (Victim) and threat objects (Attacker). */
function riskEntries(tags: Record<string, unknown>, score: number) {
  const risk: unknown[] = [];
  const threat: unknown[] = [];
  for (const o of tags.observable as { name: string; type: string; role: string[] }[]) {
    const t = o.type.toLowerCase();
    if (o.role.includes('Victim')) {
      if (['user', 'username', 'email address'].includes(t))
        risk.push({ risk_object_field: o.name, risk_object_type: 'user', risk_score: score });
      else if (['device', 'endpoint', 'hostname', 'ip address'].includes(t))
        risk.push({ risk_object_field: o.name, risk_object_type: 'system', risk_score: score });
    } else {
      const type =
        t === 'process name' || t === 'process'
          ? 'process'
          : ['file name', 'file', 'file hash'].includes(t)
            ? 'file_name'
            : t === 'ip address'
              ? 'ip_address'
              : t === 'url string' || t === 'url'
                ? 'url'
                : t;
      threat.push({ threat_object_field: o.name, threat_object_type: type });
    }
  }
  return { risk, threat };
}

/** Every fact of one savedsearches.conf stanza that follows from the detection's YAML. */
function expectDetectionStanza(s: Map<string, string> | undefined, d: Detection, label: string) {
  const stanza = `${label} - ${d.name} - Rule`;
  expect(s, stanza).toBeDefined();
  const v = (k: string) => s!.get(k);
  // The search is the YAML search, and it calls the detection's own filter macro.
  expect(v('search')).toBe(escaped(d.search));
  expect(d.search).toContain(`\`${snake(d.name)}_filter\``);
  // Texts: the YAML's, newline-escaped; an experimental one gets the warning prefix (and the
  // template's trailing space) in `description` but not in `eli5` (contentctl 4.4.1
  // savedsearches_detections.j2).
  const description = escaped(d.description);
  if (d.status === 'experimental') {
    expect(v('description')).toMatch(/^\*\*WARNING\*\*, this detection is marked \*\*EXPERIMENTAL\*\* by /);
    expect(v('description')!.endsWith(`research@splunk.com. ${description} `)).toBe(true);
  } else expect(v('description')).toBe(description);
  expect(v('action.escu.eli5')).toBe(description);
  expect(v('action.escu.how_to_implement')).toBe(escaped(d.how_to_implement));
  expect(v('action.escu.known_false_positives')).toBe(escaped(d.known_false_positives));
  // Dates, identity, version (the line contentctl inspect reads, §7).
  expect(v('action.escu.creation_date')).toBe(d.date);
  expect(v('action.escu.modification_date')).toBe(d.date);
  expect(v('action.escu.full_search_name')).toBe(stanza);
  expect(v('action.correlationsearch.label')).toBe(stanza);
  expect(v('action.correlationsearch.metadata')).toBe(
    `{"deprecated": "${d.status === 'deprecated' ? 1 : 0}", "detection_id": "${d.id}", "detection_version": "${d.version}", "publish_time": ${publishTime(d.date)}}`,
  );
  // ESCU's default deployment: hourly, a 60-minute window ending 10 minutes ago, disabled.
  expect(v('cron_schedule')).toBe('0 * * * *');
  expect(v('dispatch.earliest_time')).toBe('-70m@m');
  expect(v('dispatch.latest_time')).toBe('-10m@m');
  expect(v('schedule_window')).toBe('auto');
  expect(v('disabled')).toBe('true');
  expect(v('action.correlationsearch.enabled')).toBe('1');
  // Tags.
  const tags = d.tags;
  expect(JSON.parse(v('action.escu.analytic_story')!)).toEqual(tags.analytic_story);
  expect(JSON.parse(v('action.escu.product')!)).toEqual(tags.product);
  expect(JSON.parse(v('action.escu.mappings')!)).toEqual({
    cis20: [tags.security_domain === 'network' ? 'CIS 13' : 'CIS 10'],
    mitre_attack: tags.mitre_attack_id,
    nist: [d.type === 'TTP' ? 'DE.CM' : 'DE.AE'],
  });
  // Risk (TTP, Anomaly) and notable (TTP, Correlation) blocks.
  const score = pyRound(((tags.confidence as number) * (tags.impact as number)) / 100);
  if (d.type === 'TTP' || d.type === 'Anomaly') {
    expect(v('action.risk')).toBe('1');
    expect(v('action.risk.param._risk_message')).toBe(escaped(tags.message as string));
    const entries = JSON.parse(v('action.risk.param._risk')!) as Record<string, unknown>[];
    const want = riskEntries(tags, score);
    // Risk objects first, then threat objects (the order inside each is not established, §4.5).
    expect(entries.slice(0, want.risk.length)).toEqual(expect.arrayContaining(want.risk));
    expect(entries.slice(want.risk.length)).toEqual(expect.arrayContaining(want.threat));
    expect(entries).toHaveLength(want.risk.length + want.threat.length);
  } else expect(v('action.risk')).toBeUndefined();
  if (d.type === 'TTP' || d.type === 'Correlation') {
    expect(v('action.notable')).toBe('1');
    expect(v('action.notable.param.rule_title')).toBe(d.type === 'Correlation' ? `RBA: ${d.name}` : d.name);
    expect(v('action.notable.param.security_domain')).toBe(tags.security_domain);
  } else expect(v('action.notable')).toBeUndefined();
  // Drilldowns: the YAML's, with %original_detection_search% replaced by the search; JSON that
  // Jinja's tojson wrote (sorted keys, < > & ' as \u escapes).
  const raw = v('action.notable.param.drilldown_searches')!;
  expect(JSON.parse(raw)).toEqual(
    (d.drilldown_searches ?? []).map((x) => ({
      earliest_offset: x.earliest_offset,
      latest_offset: x.latest_offset,
      name: x.name,
      search: x.search.replace('%original_detection_search%', d.search),
    })),
  );
  expect(raw).not.toMatch(/[<>&']/);
}

describe('golden files checked against the YAML, not against a render', () => {
  const config = readYaml<{
    app: { appid: string; title: string; label: string; version: string; description: string };
  }>(join(FIXTURE, 'dac.config.yaml')).app;
  const detections = yamlDir<Detection>(join(FIXTURE, 'detections'));
  const macros = yamlDir<Yaml & { definition: string; description: string; arguments?: string[] }>(
    join(FIXTURE, 'macros'),
  );
  const stories = yamlDir<Yaml & { version: number; date: string; description: string; narrative: string }>(
    join(FIXTURE, 'stories'),
  );
  const lookups = yamlDir<Yaml & { filename?: string; collection?: string; fields_list?: string }>(
    join(FIXTURE, 'lookups'),
  );

  it('savedsearches.conf: one stanza per detection, named `<label> - <name> - Rule`, and nothing else', () => {
    expect(detections).toHaveLength(2);
    expect(stanzaNames('fixture/default__savedsearches.conf').sort()).toEqual(
      detections.map((d) => `${config.label} - ${d.name} - Rule`).sort(),
    );
  });

  it('savedsearches.conf: each stanza says what its YAML says (search + filter macro, texts, dates, schedule, risk, drilldowns)', () => {
    const saved = golden('fixture/default__savedsearches.conf');
    for (const d of detections) expectDetectionStanza(saved.get(`${config.label} - ${d.name} - Rule`), d, config.label);
  });

  it('macros.conf: every YAML macro (`name(N)` with args), and a `search *` filter macro for each detection', () => {
    const conf = golden('fixture/default__macros.conf');
    for (const m of macros) {
      const stanza = m.arguments?.length ? `${m.name}(${m.arguments.length})` : m.name;
      expect(conf.get(stanza)?.get('definition'), stanza).toBe(escaped(m.definition));
      expect(conf.get(stanza)?.get('description')).toBe(escaped(m.description));
      if (m.arguments?.length) expect(conf.get(stanza)?.get('args')).toBe(m.arguments.join(', '));
    }
    for (const d of detections) expect(conf.get(`${snake(d.name)}_filter`)?.get('definition')).toBe('search *');
    expect(conf.size).toBe(macros.length + detections.length);
  });

  it('analyticstories.conf: a savedsearch:// stanza per detection and an analytic_story:// stanza per story', () => {
    const conf = golden('fixture/default__analyticstories.conf');
    for (const d of detections) {
      const s = conf.get(`savedsearch://${config.label} - ${d.name} - Rule`);
      expect(s?.get('type')).toBe('detection');
      expect(s?.get('asset_type')).toBe(d.tags.asset_type);
      expect(s?.get('how_to_implement')).toBe(escaped(d.how_to_implement));
    }
    for (const st of stories) {
      const s = conf.get(`analytic_story://${st.name}`)!;
      expect(s.get('version')).toBe(String(st.version));
      expect(s.get('last_updated')).toBe(st.date);
      expect(s.get('category')).toBe((st.tags.category as string[])[0]);
      expect(s.get('description')).toBe(escaped(st.description));
      expect(s.get('narrative')).toBe(escaped(st.narrative));
      expect(JSON.parse(s.get('searches')!).sort()).toEqual(
        detections
          .filter((d) => (d.tags.analytic_story as string[]).includes(st.name))
          .map((d) => `${config.label} - ${d.name} - Rule`)
          .sort(),
      );
    }
  });

  it('transforms.conf and collections.conf: each lookup by its kind, and mitre_enrichment', () => {
    const transforms = golden('fixture/default__transforms.conf');
    const collections = golden('fixture/default__collections.conf');
    for (const l of lookups) {
      const s = transforms.get(l.name)!;
      if (l.filename) expect(s.get('filename')).toBe(l.filename);
      else {
        expect(s.get('collection')).toBe(l.collection);
        expect(s.get('external_type')).toBe('kvstore');
        expect(s.get('fields_list')).toBe(l.fields_list);
        expect(collections.get(l.name)).toEqual(
          new Map([
            ['enforceTypes', 'false'],
            ['replicate', 'false'],
          ]),
        );
      }
    }
    expect(transforms.get('mitre_enrichment')?.get('filename')).toBe('mitre_enrichment.csv');
  });

  it('app.conf, content-version.conf and app.manifest carry the configured app id, title and version', () => {
    const app = golden('fixture/default__app.conf');
    expect(app.get('launcher')?.get('version')).toBe(config.version);
    expect(app.get('launcher')?.get('description')).toBe(config.description);
    expect(app.get('id')?.get('name')).toBe(config.appid);
    expect(app.get('id')?.get('version')).toBe(config.version);
    expect(app.get('package')?.get('id')).toBe(config.appid);
    expect(app.get('ui')?.get('label')).toBe(config.title);
    expect(golden('fixture/default__content-version.conf').get('content-version')?.get('version')).toBe(config.version);
    const manifest = JSON.parse(readFileSync(join(GOLDEN, 'fixture/app.manifest'), 'utf8'));
    expect(manifest.info.id).toEqual({ group: null, name: config.appid, version: config.version });
    expect(manifest.info.title).toBe(config.title);
  });

  it("the ngrok golden stanza says what this repository's ngrok YAML says, and the worked example's values (escu-app-format.md §4.5)", () => {
    const d = readYaml<Detection>(join(REPO_ROOT, 'detections/endpoint/windows_ngrok_reverse_proxy_usage.yml'));
    const name = 'ESCU - Windows Ngrok Reverse Proxy Usage - Rule';
    expect(stanzaNames('ngrok.savedsearches.stanza.conf')).toEqual([name]);
    const s = golden('ngrok.savedsearches.stanza.conf').get(name);
    expectDetectionStanza(s, d, 'ESCU');
    // The worked example, as the reference states it (not derived by this test's rules).
    expect(s!.get('action.correlationsearch.metadata')).toBe(
      '{"deprecated": "0", "detection_id": "e2549f2c-0aef-408a-b0c1-e0f270623436", "detection_version": "5", "publish_time": 1727654400.0}',
    );
    expect(JSON.parse(s!.get('action.risk.param._risk')!)).toEqual(
      expect.arrayContaining([
        { risk_object_field: 'user', risk_object_type: 'user', risk_score: 50 },
        { risk_object_field: 'dest', risk_object_type: 'system', risk_score: 50 },
        { threat_object_field: 'parent_process_name', threat_object_type: 'process' },
        { threat_object_field: 'process_name', threat_object_type: 'process' },
      ]),
    );
    expect(s!.get('action.escu.data_models')).toBe('["Endpoint"]');
    expect(s!.get('action.notable.param.drilldown_searches')).toContain('\\"ATT\\u0026CK Tactics\\"');
  });
});
