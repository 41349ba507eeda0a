import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RawEvent } from '@dac/normalise';
import {
  decodeXmlEntities,
  formatFor,
  isoToEpochSeconds,
  NameTable,
  parseEventXml,
  readEvtx,
  readFixture,
  readLines,
  type EvtxRecord,
  type FixtureFormat,
  type ReadIssue,
} from './index.js';

const repo = join(import.meta.dirname, '../../../..');
const tmp = mkdtempSync(join(tmpdir(), 'dac-readers-'));
let n = 0;
function file(content: string | Buffer): string {
  const p = join(tmp, `f${n++}`);
  writeFileSync(p, content);
  return p;
}
function fmt(st: string, src?: string): FixtureFormat {
  const f = formatFor(st, src);
  if ('error' in f) throw new Error(f.error);
  return f;
}
async function read(content: string | Buffer, st = 'XmlWinEventLog') {
  const events: RawEvent[] = [];
  const r = await readFixture(file(content), fmt(st), (e) => events.push(e));
  return { ...r, events };
}

const SYSMON = readFileSync(join(repo, 'test/logs/certutil_sysmon_4688_mixed.raw'), 'utf8').split('\n')[0]!;

describe('parseEventXml (splunk-semantics.md §5.1 shape)', () => {
  it('extracts System leaves, System attributes and EventData like Splunk_TA_windows', () => {
    const r = parseEventXml(SYSMON);
    if ('error' in r) throw new Error(r.error);
    expect(r.fields).toMatchObject({
      EventID: '1',
      EventCode: '1',
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      Computer: 'win-dc-791937.attackrange.local',
      ProcessID: '2468',
      ThreadID: '3128',
      UserID: 'S-1-5-18',
      Name: 'Microsoft-Windows-Sysmon',
      RuleName: '',
      ProcessId: '6952',
      Image: 'C:\\Windows\\System32\\certutil.exe',
      User: 'ATTACKRANGE\\Administrator',
      CommandLine: '"C:\\Windows\\system32\\certutil.exe" -p password1234 .\\powershellcert.pfx',
      Product: 'Microsoft® Windows® Operating System',
    });
    expect(r.time).toBeCloseTo(Date.UTC(2021, 0, 14, 23, 41, 40) / 1000 + 0.145335, 5);
  });

  it('keeps entities literal by default (the add-ons do not decode, §1.11) and decodes only predefined ones on request', () => {
    const xml =
      "<Event><System><EventID>1</EventID></System><EventData><Data Name='CommandLine'>a &amp; b &lt;c&gt; &#65;&#x42; &foo; &quot;</Data></EventData></Event>";
    const raw = parseEventXml(xml);
    const dec = parseEventXml(xml, true);
    if ('error' in raw || 'error' in dec) throw new Error('parse');
    expect(raw.fields.CommandLine).toBe('a &amp; b &lt;c&gt; &#65;&#x42; &foo; &quot;');
    expect(dec.fields.CommandLine).toBe('a & b <c> AB &foo; "');
  });

  it('tolerates double quotes, <EventID Qualifiers="">, empty and self-closing Data, events spanning lines', () => {
    const xml =
      '<Event xmlns="x">\n<System><EventID Qualifiers="">4688</EventID><Channel>Security</Channel></System>\n<EventData><Data Name="A"></Data><Data Name="B"/><Data Name="C">x\ny</Data><Tag></Tag></EventData></Event>';
    const r = parseEventXml(xml);
    if ('error' in r) throw new Error(r.error);
    expect(r.fields).toMatchObject({
      EventID: '4688',
      EventCode: '4688',
      Qualifiers: '',
      A: '',
      B: '',
      C: 'x\ny',
      Tag: '',
    });
  });

  it('reads the Sysmon for Linux example (no xmlns, double-quoted attributes, §4.4)', () => {
    const r = parseEventXml(readFileSync(join(import.meta.dirname, 'testdata/sysmon-linux-example.xml'), 'utf8'));
    if ('error' in r) throw new Error(r.error);
    expect(r.fields).toMatchObject({
      EventID: '1',
      Image: '/usr/bin/sudo',
      User: 'ubuntu',
      UserId: '0',
      ParentUser: 'ubuntu',
      IntegrityLevel: 'no level',
    });
  });

  it.each([
    ['<Event><System><EventID>1</EventID></System>', 'unclosed'],
    ['<Event><System></EventData></Event>', 'closes'],
    ["<Event><EventData><Data Name='a>x</Data></EventData></Event>", 'attribute'],
    ['<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Event>&e;</Event>', 'start'],
    ['<Event><!DOCTYPE x><System/></Event>', 'DTD'],
    ['<Event><![CDATA[x]]></Event>', 'CDATA'],
    ['<Event/>', 'empty'],
    ['<Event></Event>junk', 'after'],
    ['<Event><System><EventID>1</EventID></System></Event><Other/>', 'after'],
    ['<Other><Event></Event></Other>', 'start'],
  ])('rejects %s', (xml, msg) => {
    const r = parseEventXml(xml);
    expect('error' in r && r.error).toMatch(new RegExp(msg, 'i'));
  });

  it('never throws on arbitrary input, and reports errors as strings (fast-check)', () => {
    const piece = fc.constantFrom(
      '<Event>',
      '</Event>',
      '<System>',
      '</System>',
      '<EventData>',
      '</EventData>',
      "<Data Name='X'>",
      '<Data Name="Y"/>',
      '</Data>',
      '<',
      '>',
      '/',
      "'",
      '"',
      '&amp;',
      '&#x41;',
      '<!--',
      '-->',
      '<?x',
      '?>',
      '<!DOCTYPE',
      'text',
      ' ',
      '\n',
      '=',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string()), { maxLength: 30 }), (parts) => {
        const r = parseEventXml(parts.join(''));
        if ('error' in r) expect(typeof r.error).toBe('string');
        else expect(typeof r.fields).toBe('object');
      }),
      { numRuns: 2000 },
    );
  });

  it('finds every Data field of well-formed generated events (fast-check)', () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,12}$/);
    const text = fc.string().map((s) => s.replace(/[<&]/g, ''));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(name, text, fc.constantFrom("'", '"')), { selector: (t) => t[0], maxLength: 8 }),
        (items) => {
          const xml = `<Event><System><EventID>1</EventID></System><EventData>${items.map(([k, v, q]) => `<Data Name=${q}${k}${q}>${v}</Data>`).join('')}</EventData></Event>`;
          const r = parseEventXml(xml);
          if ('error' in r) throw new Error(r.error);
          for (const [k, v] of items) if (k !== 'EventID' && k !== 'EventCode') expect(r.fields[k]).toBe(v);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a projection (wanted fields) gives exactly the wanted subset of the full parse (fast-check)', () => {
    const all = [
      'EventID',
      'Channel',
      'Computer',
      'SystemTime',
      'Image',
      'CommandLine',
      'User',
      'ProcessId',
      'RuleName',
      'Hashes',
      'Nope',
    ];
    const lines = readFileSync(join(repo, 'test/logs/certutil_sysmon_4688_mixed.raw'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('<Event'));
    fc.assert(
      fc.property(fc.subarray(all), fc.constantFrom(...lines), (wantedList, line) => {
        const wanted = new Set(wantedList);
        const full = parseEventXml(line);
        const part = parseEventXml(line, false, wanted);
        if ('error' in full || 'error' in part) throw new Error('parse');
        for (const k of [...wanted, 'SystemTime']) expect(part.fields[k]).toEqual(full.fields[k]);
        for (const [k, v] of Object.entries(part.fields))
          if (v !== undefined) expect(wanted.has(k) || k === 'SystemTime' || k === 'EventCode').toBe(true);
        expect(part.time).toBe(full.time);
      }),
      { numRuns: 300 },
    );
  });

  it('the fast paths accept exactly what the generic scanner accepts, on mutated real events (fast-check)', () => {
    const lines = readFileSync(join(repo, 'test/logs/certutil_sysmon_4688_mixed.raw'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('<Event'));
    const wanted = new Set([
      'EventID',
      'EventCode',
      'Channel',
      'Computer',
      'Image',
      'CommandLine',
      'NewProcessName',
      'User',
      'ProcessID',
    ]);
    const mutation = fc.record({
      line: fc.constantFrom(...lines),
      at: fc.nat(),
      del: fc.integer({ min: 0, max: 3 }),
      ins: fc.constantFrom('', '<', '>', '/', "'", '"', ' ', '=', 'x', '</Data>', "<Data Name='Image'>", '</System>'),
    });
    fc.assert(
      fc.property(mutation, ({ line, at, del, ins }) => {
        const i = at % line.length;
        const xml = line.slice(0, i) + ins + line.slice(i + del);
        const generic = parseEventXml(xml);
        const fast = parseEventXml(xml, false, wanted);
        expect('error' in fast).toBe('error' in generic);
        if ('error' in fast || 'error' in generic) return;
        for (const k of wanted) expect(fast.fields[k]).toEqual(generic.fields[k]);
        expect(fast.time).toBe(generic.time);
      }),
      { numRuns: 3000 },
    );
  });

  it('NameTable finds known names in place and nothing else', () => {
    const t = new NameTable(['Image', 'User', 'Users']);
    const s = "<Data Name='Users'>";
    expect(t.find(s, 12, 17)).toBe('Users');
    expect(t.find(s, 12, 16)).toBe('User');
    expect(t.find(s, 11, 16)).toBeUndefined();
  });

  it('decodeXmlEntities leaves unknown entities and out-of-range references alone', () => {
    expect(decodeXmlEntities('&apos;&#0;&#x110000;&#xD800;&nbsp;')).toBe("'&#0;&#x110000;&#xD800;&nbsp;");
  });

  it('isoToEpochSeconds handles zones and rejects junk', () => {
    expect(isoToEpochSeconds('2020-08-01 05:46:46')).toBe(Date.UTC(2020, 7, 1, 5, 46, 46) / 1000);
    expect(isoToEpochSeconds('2020-08-01T07:46:46+02:00')).toBe(Date.UTC(2020, 7, 1, 5, 46, 46) / 1000);
    expect(isoToEpochSeconds('yesterday')).toBeUndefined();
    expect(isoToEpochSeconds('2021-01-14T23:41:40.145335200Z')).toBe(
      Date.UTC(2021, 0, 14, 23, 41, 40) / 1000 + 0.145335,
    );
    expect(isoToEpochSeconds('2021-01-14T23:41:40Z')).toBe(Date.UTC(2021, 0, 14, 23, 41, 40) / 1000);
    expect(isoToEpochSeconds('2021-01-14T23:4x:40Z')).toBeUndefined();
  });

  it('isoToEpochSeconds keeps the last second: runs of times in and across seconds give the plain answer', () => {
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2100, 0, 1) }),
        fc.array(fc.tuple(fc.integer({ min: -1500, max: 1500 }), fc.integer({ min: 0, max: 9_999_999 })), {
          maxLength: 6,
        }),
        (start, steps) => {
          let ms = start - (start % 1000);
          for (const [step, ticks] of steps) {
            ms += step;
            const s = `${iso(ms)}.${String(ticks).padStart(7, '0')}00Z`;
            let frac = 0;
            let scale = 0.1;
            for (const c of s.slice(20, 26)) {
              frac += Number(c) * scale;
              scale /= 10;
            }
            const whole = Math.floor(ms / 1000);
            expect(isoToEpochSeconds(s)).toBe(whole + Math.round(frac * 1e6) / 1e6);
            expect(isoToEpochSeconds(`${iso(ms)}Z`)).toBe(whole);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('XmlWinEventLog fixture reader', () => {
  it('reads the real mixed certutil file: 20 Sysmon + 20 4688 events, 19 classic 4104 events skipped with line numbers (§5.5)', async () => {
    const events: RawEvent[] = [];
    const issues: ReadIssue[] = [];
    const r = await readFixture(join(repo, 'test/logs/certutil_sysmon_4688_mixed.raw'), fmt('XmlWinEventLog'), (e) =>
      events.push(e),
    );
    issues.push(...r.issues);
    expect(r.lines).toBe(1401);
    expect(events.filter((e) => e.fields.EventID === '1')).toHaveLength(20);
    expect(events.filter((e) => e.fields.EventID === '4688')).toHaveLength(20);
    expect(r.malformed).toBe(0);
    expect(r.skipped).toBe(19);
    expect(issues[0]).toEqual({ line: 2, kind: 'skipped', message: expect.stringMatching(/classic/) });
  });

  it('reports malformed and truncated events with their line numbers and keeps going', async () => {
    const text = [
      SYSMON,
      'garbage line',
      SYSMON.slice(0, 300),
      SYSMON,
      '<Event><System>',
      '<EventID>1</EventID></System></Event>',
      SYSMON.slice(0, 500),
    ].join('\n');
    const r = await read(text);
    expect(r.events.map((e) => e.line)).toEqual([1, 4, 5]);
    expect(r.issues.map((i) => [i.line, i.kind])).toEqual([
      [2, 'malformed'],
      [3, 'malformed'],
      [7, 'malformed'],
    ]);
  });

  it('splits two events sharing a line and joins an event spanning lines (CRLF too)', async () => {
    const spanning = SYSMON.replace('-p password1234', '-p\r\npassword1234');
    const r = await read(`${SYSMON}${SYSMON}\r\n${spanning}\r\n`);
    expect(r.events).toHaveLength(3);
    expect(r.events[2]!.fields.CommandLine).toBe(
      '"C:\\Windows\\system32\\certutil.exe" -p\npassword1234 .\\powershellcert.pfx',
    );
    expect(r.issues).toEqual([]);
  });

  it('a broken event sharing a line with a good one does not take the good one with it', async () => {
    const r = await read(`<Event><System><EventID>1</Channel></System></Event>${SYSMON}\n`);
    expect(r.events).toHaveLength(1);
    expect(r.issues).toEqual([{ line: 1, kind: 'malformed', message: expect.stringMatching(/closes/) }]);
  });

  it('detects gzip by magic bytes, not by name', async () => {
    const r = await read(gzipSync(Buffer.from(`${SYSMON}\n${SYSMON}\n`)));
    expect(r.gzip).toBe(true);
    expect(r.events).toHaveLength(2);
  });

  it('never crashes on arbitrary line soup (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.constant(SYSMON),
            fc.constant(SYSMON.slice(0, 200)),
            fc.constant('01/14/2021 11:41:39 PM'),
            fc.string(),
          ),
          { maxLength: 12 },
        ),
        async (lines) => {
          const r = await read(lines.join('\n'));
          expect(r.events.length + r.malformed + r.skipped).toBeGreaterThanOrEqual(
            lines.filter((l) => l === SYSMON).length > 0 ? 1 : 0,
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('JSON-lines readers', () => {
  it('NXLog: keeps Keywords > 2^53 exact (escu-corpus.md §9.1) and flattens values to strings', async () => {
    const line =
      '{"EventTime":"2020-08-01 05:46:46","Keywords":-9187343239835811840,"EventID":1,"ProcessID":2740,"Message":"\\"Keywords\\":-1,","Nested":{"a":[1,"x"]}}';
    const r = await read(`${line}\r\n`, 'nxlog:json');
    expect(r.events[0]!.fields).toMatchObject({
      Keywords: '-9187343239835811840',
      EventID: '1',
      ProcessID: '2740',
      'Nested.a{}': ['1', 'x'],
    });
    expect(r.events[0]!.time).toBe(Date.UTC(2020, 7, 1, 5, 46, 46) / 1000);
  });

  it('reads the real NXLog file (gzip, CRLF): 7,959 events, none malformed', async () => {
    let eid1 = 0;
    const r = await readFixture(join(repo, 'test/logs/atomic_T1027_nxlog.jsonl.gz'), fmt('nxlog:json'), (e) => {
      if (e.fields.EventID === '1' && e.fields.Channel === 'Microsoft-Windows-Sysmon/Operational') eid1++;
    });
    expect(r.events).toBe(7959);
    expect(r.malformed).toBe(0);
    expect(eid1).toBe(324);
  });

  it('CrowdStrike: time from timestamp (ms); bad lines are reported, not fatal', async () => {
    const r = await read(
      '{"event_simpleName":"ProcessRollup2","timestamp":"1713805173418"}\n{broken\n[1]\nnot json\n',
      'crowdstrike:events:sensor',
    );
    expect(r.events).toHaveLength(1);
    expect(r.events[0]!.time).toBeCloseTo(1713805173.418, 3);
    expect(r.issues.map((i) => i.line)).toEqual([2, 3, 4]);
  });

  it('sourcetype selection is case-insensitive and unknown sourcetypes are a clear error', () => {
    expect(fmt('xmlwineventlog').id).toBe('xmlwineventlog');
    expect(formatFor('aws:cloudtrail')).toEqual({ error: expect.stringMatching(/no fixture reader.*aws:cloudtrail/) });
    expect(formatFor('XmlWinEventLog', 'crowdstrike')).toEqual({
      error: expect.stringMatching(/XmlWinEventLog:<channel>/),
    });
  });
});

describe('readLines', () => {
  it('yields the same lines as splitting the decoded text at LF, CRLF and lone CR, whatever the chunk size (fast-check)', async () => {
    // Splunk's default LINE_BREAKER is ([\r\n]+) (help.splunk.com, "Configure event line breaking").
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.string(), fc.constantFrom('\n', '\r\n', '\r', 'é', '€', '😀')), { maxLength: 40 }),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        async (parts, hwm, skipEmptyLines) => {
          const text = parts.join('');
          const got: [string, number][] = [];
          const stats = await readLines(file(text), (l, n) => got.push([l, n]), { highWaterMark: hwm, skipEmptyLines });
          const all = text === '' ? [] : text.split(/\r\n|\r|\n/);
          if (/[\r\n]$/.test(text)) all.pop();
          const want = all.map((l, i) => [l, i + 1] as [string, number]).filter(([l]) => !skipEmptyLines || l !== '');
          expect(got).toEqual(want);
          expect(stats.lines).toBe(all.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('issue 12 case 7: a CR-only file is read line by line (Splunk LINE_BREAKER default ([\\r\\n]+))', async () => {
    const got: [string, number][] = [];
    const stats = await readLines(file('{"a":1}\r{"a":2}\r\r{"a":3}\r'), (l, n) => got.push([l, n]));
    expect(got).toEqual([
      ['{"a":1}', 1],
      ['{"a":2}', 2],
      ['{"a":3}', 4],
    ]);
    expect(stats.lines).toBe(4);
  });

  it('issue 12 case 6: a 9 MB gzip of newlines stops at the decompression-ratio limit, fast', async () => {
    // 9 GB of LF compress to ~9 MB; built in pieces so the test's own memory stays small.
    const dir = mkdtempSync(join(tmpdir(), 'dac-bomb-'));
    const path = join(dir, 'newlines.jsonl.gz');
    const piece = gzipSync(Buffer.alloc(64 * 1024 * 1024, 10), { level: 9 });
    // Concatenated gzip members are one gzip stream (RFC 1952 §2.2): 140 × 64 MiB ≈ 9.4 GB.
    writeFileSync(path, Buffer.concat(Array.from({ length: 140 }, () => piece)));
    const t0 = performance.now();
    const stats = await readLines(path, () => {}, { maxRatio: 200 });
    const ms = performance.now() - t0;
    expect(stats.error?.message).toMatch(
      /more than 200 times its compressed size \(raise it with limits\.fixture_decompression_ratio/,
    );
    expect(stats.bytes).toBeLessThan(512 * 1024 * 1024);
    // Not a timing test of speed, a bound against hanging: main ran for over 5 minutes.
    expect(ms).toBeLessThan(60_000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('issue 12 case 6: the decompressed-bytes limit stops a file with a message naming it', async () => {
    const got: string[] = [];
    const stats = await readLines(file(`${'{"a":1}\n'.repeat(1000)}`), (l) => got.push(l), {
      maxBytes: 100,
      highWaterMark: 64,
    });
    expect(stats.error?.message).toMatch(/stopped after 100 bytes .*limits\.fixture_decompressed_bytes/);
    expect(got.length).toBeLessThan(20);
  });

  it('drops a BOM, strips CR, counts lines, reports over-long lines and keeps memory bounded', async () => {
    const long = 'x'.repeat(5000);
    const got: [string, number][] = [];
    const over: number[] = [];
    const stats = await readLines(file(`\uFEFFa\r\n${long}\nb`), (l, no) => got.push([l, no]), {
      maxLineLength: 1000,
      highWaterMark: 64,
      onOverlong: (no) => over.push(no),
    });
    expect(got).toEqual([
      ['a', 1],
      ['b', 3],
    ]);
    expect(over).toEqual([2]);
    expect(stats.lines).toBe(3);
  });

  it('a truncated gzip delivers every line before the cut and reports the error instead of throwing', async () => {
    const text = Array.from({ length: 20000 }, (_, i) => `{"n":${i},"pad":"${'p'.repeat(i % 97)}"}`).join('\n');
    const gz = gzipSync(Buffer.from(text));
    const path = join(mkdtempSync(join(tmpdir(), 'dac-trunc-')), 'cut.jsonl.gz');
    writeFileSync(path, gz.subarray(0, Math.floor(gz.length / 2)));
    const got: string[] = [];
    const stats = await readLines(path, (l) => got.push(l));
    expect(stats.error?.message).toMatch(/unexpected end of file/);
    expect(stats.gzip).toBe(true);
    expect(got.length).toBeGreaterThan(1000);
    expect(stats.lines).toBe(got.length);
    // Every complete line is intact; at most the last one is cut.
    for (const l of got.slice(0, -1)) expect(() => JSON.parse(l)).not.toThrow();
  });
});

describe('Sysmon for Linux through the add-on extraction (Splunk_TA_linux_sysmon, splunk-semantics.md §4.4)', () => {
  it('reads the ESCU example event and puts it in Endpoint.Processes', async () => {
    const { extractFields, dataSetRows } = await import('@dac/normalise');
    const xml = readFileSync(join(import.meta.dirname, 'testdata/sysmon-linux-example.xml'), 'utf8');
    const r = await read(`${xml}\n`, 'sysmon:linux');
    const f = fmt('sysmon:linux');
    const ev = extractFields(r.events[0]!, { sourcetype: 'sysmon:linux', source: f.sourceOf(r.events[0]!.fields) });
    const [row] = dataSetRows(ev, 'Endpoint.Processes');
    expect(row).toMatchObject({
      process_name: 'sudo',
      process_path: '/usr/bin/sudo',
      process: 'sudo gdb -nx -ex !sh -ex quit',
      parent_process_name: 'bash',
      dest: 'ar-linux',
      process_id: '10268',
      host: 'ar-linux',
    });
  });
});

describe('hostile field names', () => {
  it('inherited names (toString, constructor, __proto__) are never fields unless present, and cannot pollute prototypes', async () => {
    const r = await read(
      '{"event_simpleName":"ProcessRollup2","__proto__":{"polluted":"yes"},"constructor":"c"}\n',
      'crowdstrike:events:sensor',
    );
    const f = r.events[0]!.fields;
    expect(f.toString).toBeUndefined();
    expect(f.constructor).toBe('c');
    expect(f['__proto__.polluted']).toBe('yes');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const x = parseEventXml(
      "<Event><System><EventID>1</EventID></System><EventData><Data Name='__proto__'>p</Data><Data Name='A'>a</Data></EventData></Event>",
      false,
      new Set(['A', 'toString', 'EventID']),
    );
    if ('error' in x) throw new Error(x.error);
    expect(x.fields.toString).toBeUndefined();
    expect(x.fields.A).toBe('a');
  });
});

describe('issue 12 case 7: JSON events with wrong results on main', () => {
  it('the big-integer recovery takes the key at its own nesting level', async () => {
    const line =
      '{"X":{"RawProcessId":1},"RawProcessId":99999999999999999999,"a":[{"b":18446744073709551615},{"b":-9223372036854775809}]}';
    const { events } = await read(`${line}\n`, 'crowdstrike:events:sensor');
    expect(events[0]!.fields).toMatchObject({
      'X.RawProcessId': '1',
      RawProcessId: '99999999999999999999',
      'a{}.b': ['18446744073709551615', '-9223372036854775809'],
    });
  });

  it('a 20,000-deep JSON line is one malformed event with its line number; the events after it are read', async () => {
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    const r = await read(`{"n":1}\n${deep}\n{"n":3}\n{"n":4}\n`, 'crowdstrike:events:sensor');
    const events = r.events;
    expect(events.map((e) => [e.line, e.fields.n])).toEqual([
      [1, '1'],
      [3, '3'],
      [4, '4'],
    ]);
    expect(r.issues).toMatchObject([
      {
        line: 2,
        kind: 'malformed',
        message: expect.stringMatching(/JSON nested deeper than 512 levels \(raise it with limits\.json_depth/),
      },
    ]);
  });

  it('json_depth is configurable: a limit of 2 refuses {"a":{"b":{}}}', async () => {
    const events: RawEvent[] = [];
    const r = await readFixture(file('{"a":{"b":{"c":1}}}\n{"a":1}\n'), fmt('nxlog:json'), (e) => events.push(e), {
      limits: { json_depth: 2 },
    });
    expect(events).toHaveLength(1);
    expect(r.malformed).toBe(1);
  });

  it('a CR-only NXLog file is read (not "file is empty")', async () => {
    const { events } = await read('{"EventID":1}\r{"EventID":2}\r', 'nxlog:json');
    expect(events.map((e) => e.fields.EventID)).toEqual(['1', '2']);
  });
});

describe('readFixture opens a file once (kind, size and EVTX bytes through one descriptor)', () => {
  const openFds = () => (existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : 0);

  it('EVTX: the same events and stats as readEvtx over the bytes; the descriptor is closed however reading ends', async () => {
    const path = join(repo, 'test/evtx/samples/security-4698-4699-atexec.evtx');
    const bytes = readFileSync(path);
    const before = openFds();
    const events: RawEvent[] = [];
    const r = await readFixture(path, fmt('XmlWinEventLog'), (e) => events.push(e));
    const plain: EvtxRecord[] = [];
    async function* whole() {
      yield bytes;
    }
    const stats = await readEvtx(whole(), { record: (x) => plain.push(x), issue: () => {} }, { fields: true });
    expect(r.evtx).toEqual(stats);
    expect(Object.keys(r.evtx!)).toEqual(Object.keys(stats));
    expect([r.container, r.fileBytes, r.bytes, r.events]).toEqual(['evtx', bytes.length, bytes.length, plain.length]);
    const keys = ['fileBytes', 'bytes', 'lines', 'gzip', 'events', 'issues', 'issueCount', 'malformed', 'skipped'];
    expect(Object.keys(r)).toEqual([...keys, 'container', 'evtx']);
    expect(events.map((e) => [e.text, e.fields, e.time, e.line])).toEqual(
      plain.map((x) => [x.xml, x.fields, x.time, x.ordinal]),
    );
    await expect(readFixture(path, fmt('nxlog:json'), () => {})).rejects.toThrow(/is an EVTX event log/);
    await expect(readFixture(join(tmp, 'missing.evtx'), fmt('XmlWinEventLog'), () => {})).rejects.toThrow(/ENOENT/);
    // A failing sink ends the reading; it is reported as the read's error, as an I/O error is.
    const failed = await readFixture(path, fmt('XmlWinEventLog'), () => {
      throw new Error('sink failed');
    });
    expect(failed.error?.message).toBe('sink failed');
    expect(Object.keys(failed)).toEqual([...keys.slice(0, 4), 'error', ...keys.slice(4), 'container', 'evtx']);
    expect(openFds()).toBe(before);
  });
});
