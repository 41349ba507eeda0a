#!/usr/bin/env node
// Renders the records of an EVTX file as Splunk XmlWinEventLog events, one event per line —
// the shape Splunk's Windows event log input (renderXml = true) writes and ESCU's attack_data
// stores (see the real lines of test/logs/certutil_sysmon_4688_mixed.raw): no whitespace between
// elements, single-quoted attributes, `&`, `<`, `>` escaped in text, quotes not, an empty value
// as `<Data Name='X'></Data>`.
//
// The rendering comes from evtxexport (libevtx-utils), whose XML is Windows' own rendering
// (upper-case GUIDs, 100 ns SystemTime with `Z`) pretty-printed; this script only removes the
// layout whitespace and changes the attribute quotes. Every Data value of every rendered event is
// then checked against the same record as python-evtx (`evtx_dump.py`) reads it, an
// independent parser: the script fails on any difference.
//
// usage: node render-evtx.mjs FILE.evtx [--ids 1,3,11] [--max-per-id N] > out.log
import { execFileSync } from 'node:child_process';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--') && !/^\d/.test(a));
const idsArg = args[args.indexOf('--ids') + 1];
const ids = args.includes('--ids') ? new Set(idsArg.split(',')) : undefined;
const maxPerId = args.includes('--max-per-id') ? Number(args[args.indexOf('--max-per-id') + 1]) : Infinity;
if (!file) {
  process.stderr.write('usage: node render-evtx.mjs FILE.evtx [--ids 1,3] [--max-per-id N]\n');
  process.exit(2);
}

const exported = execFileSync('evtxexport', ['-f', 'xml', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
const blocks = exported.match(/<Event xmlns=[\s\S]*?<\/Event>/g) ?? [];

const TAG = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"]*")*)\s*(\/?)>/g;

/** One pretty-printed evtxexport event → one Splunk XmlWinEventLog line. */
function render(block) {
  let out = '';
  let last = 0;
  let prev;
  for (const m of block.matchAll(TAG)) {
    const [whole, close, name, attrs, self] = m;
    const text = block.slice(last, m.index);
    // Layout whitespace between elements goes; a value (between <X> and </X>) stays verbatim.
    const isValue = prev && !prev.close && !prev.self && close && prev.name === name;
    if (isValue || text.trim() !== '') out += text;
    last = m.index + whole.length;
    const a = attrs.replace(/\s+([\w:.-]+)="([^"]*)"/g, (_, k, v) => ` ${k}='${v.replace(/'/g, '&apos;')}'`);
    if (close) out += `</${name}>`;
    else if (self && name === 'Data') out += `<Data${a}></Data>`;
    else out += `<${name}${a}${self ? '/' : ''}>`;
    prev = { close: close === '/', self: self === '/', name };
  }
  return out;
}

function decode(s) {
  return s
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * Data values. GUIDs and booleans compare case-insensitively: python-evtx prints GUIDs lower-case
 * and booleans as Python's True/False; Windows (and evtxexport) render {UPPER-CASE} and true/false.
 */
function dataOf(xml, quote) {
  const re = quote === "'" ? /<Data Name='([^']*)'>([^<]*)<\/Data>/g : /<Data Name="([^"]*)">([^<]*)<\/Data>/g;
  return [...xml.matchAll(re)].map(([, k, v]) => [
    k,
    decode(v)
      .replace(/\{[0-9a-fA-F-]{36}\}/g, (g) => g.toLowerCase())
      .replace(/^(?:true|false)$/i, (b) => b.toLowerCase()),
  ]);
}

// The independent reading: python-evtx.
const dumped = execFileSync('evtx_dump.py', [file], { encoding: 'utf8', maxBuffer: 1 << 28 });
const reference = new Map();
for (const ev of dumped.match(/<Event xmlns=[\s\S]*?<\/Event>/g) ?? []) {
  const rid = /<EventRecordID>(\d+)<\/EventRecordID>/.exec(ev)?.[1];
  reference.set(rid, dataOf(ev, '"'));
}

let bad = 0;
const perId = new Map();
for (const block of blocks) {
  const line = render(block);
  const eid = /<EventID(?: [^>]*)?>(\d+)<\/EventID>/.exec(line)?.[1];
  if (ids && !ids.has(eid)) continue;
  const n = perId.get(eid) ?? 0;
  if (n >= maxPerId) continue;
  perId.set(eid, n + 1);
  const rid = /<EventRecordID>(\d+)<\/EventRecordID>/.exec(line)?.[1];
  const want = reference.get(rid);
  const got = dataOf(line, "'");
  if (!want || JSON.stringify(want) !== JSON.stringify(got)) {
    bad++;
    process.stderr.write(
      `record ${rid}: Data differs from python-evtx\n  evtxexport: ${JSON.stringify(got)}\n  python-evtx: ${JSON.stringify(want)}\n`,
    );
  }
  process.stdout.write(`${line}\n`);
}
if (bad) process.exit(1);
