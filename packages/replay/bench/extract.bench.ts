// Search-time extraction throughput (one core, CPU time), next to the reader's own parse of the
// same events measured in the same run (the floor every replay pays anyway):
//   parse       = parseEventXml / JSON.parse + flatten of each line (the fixture reader's work);
//   extract     = extractFields: default fields, add-on settings, eventtypes, tags (all fields);
//   projected   = extractFields with the fields of a typical raw `| stats … by` detection;
//   + tag       = the same fields plus `tag` (all eventtypes and tags: what a data set needs);
//   + data set  = that extraction + the Endpoint.Processes row of member events.
// Events: real attack_data Sysmon 1 / Security 4688 XML (test/logs/certutil_sysmon_4688_mixed.raw),
// the EVTX-to-MITRE-Attack renderings (test/evtx), and the NXLog JSON log (test/logs). Target:
// ≥ 100,000 events/s for the projected extraction of XML events (the replay's hot path), shown as
// MET / NOT MET; the bench fails when the projected extraction costs more than 1.5× the parse of
// the same events (a ratio, so a loaded machine does not fail it).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createAddonEngine, defaultDataModels, flattenJson, SPLUNK_ADDONS, type StreamMeta } from '@dac/normalise';
import type { RawEvent } from '@dac/normalise';
import { parseEventXml } from '@dac/replay';

const root = process.env.DAC_REPO_ROOT ?? process.cwd();
const TARGET = 100_000;

function cpu<T>(runs: number, f: () => T): { s: number; r: T } {
  let best = Infinity;
  let r!: T;
  for (let i = 0; i < runs; i++) {
    const t0 = process.cpuUsage();
    r = f();
    const u = process.cpuUsage(t0);
    best = Math.min(best, (u.user + u.system) / 1e6);
  }
  return { s: best, r };
}

interface Input {
  line: string;
  meta: StreamMeta;
}

const xmlLines: Input[] = [];
for (const l of readFileSync(join(root, 'test/logs/certutil_sysmon_4688_mixed.raw'), 'utf8').split('\n'))
  if (l.startsWith('<Event')) {
    const channel = /<Channel>([^<]+)</.exec(l)?.[1] ?? '';
    xmlLines.push({ line: l, meta: { sourcetype: 'xmlwineventlog', source: `XmlWinEventLog:${channel}` } });
  }
for (const f of readdirSync(join(root, 'test/evtx')).filter((x) => x.endsWith('.log')))
  for (const l of readFileSync(join(root, 'test/evtx', f), 'utf8').split('\n'))
    if (l.startsWith('<Event') && l.endsWith('</Event>')) {
      const channel = /<Channel>([^<]+)</.exec(l)?.[1] ?? '';
      xmlLines.push({ line: l, meta: { sourcetype: 'xmlwineventlog', source: `XmlWinEventLog:${channel}` } });
    }
const jsonLines: Input[] = gunzipSync(readFileSync(join(root, 'test/logs/atomic_T1027_nxlog.jsonl.gz')))
  .toString('utf8')
  .split('\n')
  .filter((l) => l.startsWith('{'))
  .map((line) => ({ line: line.replace(/\r$/, ''), meta: { sourcetype: 'nxlog:json', source: 'nxlog' } }));

function repeat(list: Input[], n: number): Input[] {
  const out: Input[] = [];
  while (out.length < n) out.push(...list);
  return out.slice(0, n);
}

function parseAll(inputs: Input[], json: boolean): RawEvent[] {
  return inputs.map(({ line }, i) => {
    if (json) return { fields: flattenJson(line) ?? {}, text: line, line: i + 1 };
    const r = parseEventXml(line);
    if ('error' in r) throw new Error(r.error);
    return { fields: r.fields, time: r.time, text: line, line: i + 1 };
  });
}

/** The fields of windows_non_system_account_targeting_lsass-style `| stats … by` searches. */
const WANTED = new Set([
  'EventCode',
  'dest',
  'user',
  'process_name',
  'parent_process_name',
  'process',
  'process_id',
  'Image',
  'CommandLine',
]);
const WANTED_TAG = new Set([...WANTED, 'tag']);
const dm = defaultDataModels();
let failed = false;

function run(name: string, inputs: Input[], json: boolean): void {
  const engine = createAddonEngine(SPLUNK_ADDONS);
  const n = inputs.length;
  const parse = cpu(3, () => parseAll(inputs, json));
  const raws = parse.r;
  const extract = (wanted?: ReadonlySet<string>) => {
    let fields = 0;
    for (let i = 0; i < n; i++) {
      const ev = engine.extract(raws[i], inputs[i].meta, wanted);
      fields += ev.EventCode === undefined ? 0 : 1;
    }
    return fields;
  };
  const full = cpu(3, () => extract());
  const projected = cpu(3, () => extract(WANTED));
  const tagged = cpu(3, () => extract(WANTED_TAG));
  const withRows = cpu(3, () => {
    let rows = 0;
    for (let i = 0; i < n; i++)
      rows += dm.rows(engine.extract(raws[i], inputs[i].meta, WANTED_TAG), 'Endpoint.Processes').length;
    return rows;
  });
  const rate = (s: number) => Math.round(n / s);
  const fmt = (s: number) =>
    `${rate(s).toLocaleString('en-US').padStart(9)} events/s  (${(s / parse.s).toFixed(2)}× the parse time)`;
  console.log(`${name}: ${n.toLocaleString('en-US')} events`);
  console.log(`  parse (floor)          ${rate(parse.s).toLocaleString('en-US').padStart(9)} events/s`);
  console.log(`  extract, all fields    ${fmt(full.s)}`);
  console.log(
    `  extract, projected     ${fmt(projected.s)}${json ? '' : rate(projected.s) >= TARGET ? '  target 100k: MET' : '  target 100k: NOT MET'}`,
  );
  console.log(`  projected + tag        ${fmt(tagged.s)}`);
  console.log(`  + Endpoint.Processes   ${fmt(withRows.s)}  rows: ${withRows.r}`);
  if (!json && projected.s / parse.s > 1.5) {
    console.log(`  FAIL: projected extraction costs ${(projected.s / parse.s).toFixed(2)}× the parse (> 1.5×)`);
    failed = true;
  }
}

run('XmlWinEventLog (Sysmon, Security, PowerShell)', repeat(xmlLines, 100_000), false);
run('NXLog JSON', repeat(jsonLines, 50_000), true);
if (failed) process.exit(1);
