// Raw base-search predicate throughput on real events (one core, CPU time, best of 5): the
// generated typed matcher (@dac/matchers, the fast path the engine's compiledPredicate hook uses)
// against @dac/search's interpreter (compileSearch closures) and @dac/spl's reference
// (evaluateSearch, AST walk), for ESCU-shaped base searches over the rendered real EVTX captures
// of test/evtx (Sysmon, Security, PowerShell; every event extracted once with the add-on tables).
// Lives in the CLI package because it wires stages (readers of @dac/replay, @dac/normalise,
// @dac/matchers, @dac/search). The bench fails when the matcher is slower than the interpreter.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileSearchMatchers, type StreamFieldTable } from '@dac/matchers';
import { extractFields, streamFieldTables, type SplunkEvent } from '@dac/normalise';
import { parseEventXml } from '@dac/replay';
import { compileSearch, type Row } from '@dac/search';
import { evaluateSearch, parseSearch, type SearchCommand } from '@dac/spl';
import { escuSearchMacros } from '../../../test/support/escu-macros.js';

const root = process.env.DAC_REPO_ROOT ?? process.cwd();

const events: SplunkEvent[] = [];
for (const f of readdirSync(join(root, 'test/evtx'))
  .filter((x) => x.endsWith('.log'))
  .sort())
  for (const l of readFileSync(join(root, 'test/evtx', f), 'utf8').split('\n')) {
    if (!l.startsWith('<Event') || !l.endsWith('</Event>')) continue;
    const p = parseEventXml(l);
    if ('error' in p) continue;
    const channel = /<Channel>([^<]+)</.exec(l)?.[1] ?? '';
    events.push(
      extractFields(
        { fields: p.fields, time: p.time, line: 1, text: l },
        { sourcetype: 'XmlWinEventLog', source: `XmlWinEventLog:${channel}` },
      ),
    );
  }

const MACROS = escuSearchMacros();
const SEARCHES = [
  '`sysmon` EventCode=10 TargetImage=*lsass.exe GrantedAccess IN ("0x1010", "0x1410", "0x147a", "0x1fffff") | stats count by Computer',
  '`sysmon` EventCode=1 Image IN ("*\\\\psexec*.exe") OR OriginalFileName=psexec.c | stats count',
  '`wineventlog_security` EventCode=4769 ServiceName!="*$" TicketEncryptionType=0x17 | stats count by ServiceName',
  '`wineventlog_security` EventCode=4688 NOT (NewProcessName="*\\\\explorer.exe") | table _time',
  '`powershell` EventCode=4104 ScriptBlockText IN ("*Invoke-WebRequest*", "*DownloadString*") | stats count',
  'source=XmlWinEventLog:Security EventCode=4625 sekurlsa OR mimikatz | stats count',
];
const searches: SearchCommand[] = SEARCHES.map((s) => parseSearch(s, MACROS).pipeline.commands[0] as SearchCommand);

const tables = streamFieldTables() as StreamFieldTable[];
const r = await compileSearchMatchers(
  searches.map((search, i) => ({ id: `b${i}`, search })),
  tables,
);
const matchers = searches.map((_, i) => r.matchers.get(`b${i}`)!.match);
const interpreters = searches.map((s) => compileSearch(s.expr));

function cpu(runs: number, f: () => number): { s: number; hits: number } {
  let best = Infinity;
  let hits = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = process.cpuUsage();
    hits = f();
    const u = process.cpuUsage(t0);
    best = Math.min(best, (u.user + u.system) / 1e6);
  }
  return { s: best, hits };
}

const REPEAT = Math.max(1, Math.ceil(200_000 / (events.length * searches.length)));
const evaluations = REPEAT * events.length * searches.length;
const run = (pred: (i: number, e: SplunkEvent) => boolean) => () => {
  let hits = 0;
  for (let k = 0; k < REPEAT; k++)
    for (let i = 0; i < searches.length; i++) for (const e of events) if (pred(i, e)) hits++;
  return hits;
};
const m = cpu(
  5,
  run((i, e) => matchers[i]!(e)),
);
const c = cpu(
  5,
  run((i, e) => interpreters[i]!(e as Row)),
);
const s = cpu(
  5,
  run((i, e) => evaluateSearch(searches[i]!.expr!, e)),
);
const rate = (x: { s: number }) => `${(evaluations / x.s / 1e6).toFixed(2)} M/s`;
console.log(
  `raw base-search predicates: ${searches.length} ESCU-shaped searches × ${events.length} real events × ${REPEAT} = ${evaluations} evaluations (CPU, best of 5)\n` +
    `  generated matcher   ${rate(m)}  (${m.hits} hits)\n` +
    `  @dac/search closure ${rate(c)}  (${c.hits} hits)  matcher/closure ${(c.s / m.s).toFixed(2)}×\n` +
    `  @dac/spl reference  ${rate(s)}  (${s.hits} hits)  matcher/reference ${(s.s / m.s).toFixed(2)}×`,
);
if (m.hits !== c.hits || m.hits !== s.hits) {
  console.error('raw-matcher bench: the predicates disagree');
  process.exitCode = 1;
}
if (m.s > c.s * 1.1) {
  console.error('raw-matcher bench: the generated matcher is slower than the interpreter');
  process.exitCode = 1;
}
