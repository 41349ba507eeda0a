// The projection of pushed events (eventProjection): a base search with a known field set gives
// the same rows over the projected events as over the whole events — on hand-written searches
// over arbitrary events (fast-check), and (with ../shared) for every ESCU base search the scan
// projects, over the real events of the committed and the 281 shared captures,
// extracted with every field.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultAddonEngine, type SplunkEvent } from '@dac/normalise';
import { collect, type Event } from '@dac/search';
import { extractEvent, formatFor, prepareDetection, readFixture } from '@dac/replay';
import { committedWindowsCaptures } from '../../../test/support/captures.js';
import { loadScanContent } from './content.js';
import { eventProjection, projectionOf, scanContext } from './detections.js';
import { findLogs, sourcetypeOf } from './logs.js';

const NOW = 1_700_000_000;

describe('eventProjection', () => {
  it('keeps exactly the named fields the event has, on a null prototype', () => {
    const p = eventProjection(new Set(['a', 'b', 'constructor', 'x']));
    const e = Object.assign(Object.create(null), { a: '1', b: ['2', '3'], c: '4', x: '' }) as SplunkEvent;
    const out = p(e);
    expect(Object.getPrototypeOf(out)).toBe(null);
    expect({ ...out }).toEqual({ a: '1', b: ['2', '3'], x: '' });
    expect(out.constructor).toBeUndefined();
  });

  const searches = [
    'EventCode=4688 NewProcessName="*\\\\cmd.exe" | stats count values(CommandLine) as cmd by Computer, SubjectUserName',
    'EventCode=5140 OR EventCode=5145 (ShareName="\\\\\\\\*\\\\ADMIN$" OR ShareName="\\\\\\\\*\\\\C$") | bucket span=5m _time | stats dc(Computer) AS unique_targets values(ShareName) as shares by _time, IpAddress',
    'EventCode=4104 | eval len=len(ScriptBlockText), big=if(len>10, 1, 0) | where big=1 | rename Computer as dest | table dest len UserID',
    'source=x NOT Status=0x0 | rex field=TargetUserName "(?<user>[^@]+)" | stats count min(_time) as firstTime by user, Status',
  ];
  const fieldNames = [
    'EventCode',
    'NewProcessName',
    'CommandLine',
    'Computer',
    'SubjectUserName',
    'ShareName',
    'IpAddress',
    'ScriptBlockText',
    'UserID',
    'Status',
    'TargetUserName',
    'source',
    '_time',
    'Other',
    'Image',
    'constructor',
  ];
  const values = fc.oneof(
    fc.constantFrom(
      '4688',
      '5140',
      '5145',
      '4104',
      'C:\\Windows\\cmd.exe',
      '\\\\host\\ADMIN$',
      '\\\\h\\C$',
      'x',
      '0x0',
      'a@b',
      'bob',
    ),
    fc.string({ maxLength: 12 }),
    fc.array(fc.constantFrom('4688', 'x', 'y'), { minLength: 2, maxLength: 3 }),
  );
  const event = fc
    .tuple(fc.dictionary(fc.constantFrom(...fieldNames), values), fc.integer({ min: NOW - 3600, max: NOW }))
    .map(([fs, t]) => Object.assign(Object.create(null), fs, { _time: t }) as SplunkEvent);

  it('a projected base search gives the rows of the whole events (arbitrary events)', async () => {
    const ctx = scanContext({ macros: [], lookups: [] });
    const prepared = searches.map((search, i) => {
      const p = prepareDetection({ file: `d${i}.yml`, data: { name: `d${i}`, search } as never }, ctx, { now: NOW });
      if (!p.replayable) throw new Error(p.reason);
      const project = projectionOf(p);
      expect(project).toBeDefined();
      return { plan: p.plan, project: project! };
    });
    await fc.assert(
      fc.asyncProperty(fc.array(event, { maxLength: 30 }), async (events) => {
        for (const { plan, project } of prepared) {
          const whole = await collect(plan, events as Event[], { now: NOW });
          const projected = await collect(plan, events.map(project) as Event[], { now: NOW });
          expect(projected.rows).toEqual(whole.rows);
        }
      }),
      { numRuns: 150 },
    );
  });
});

const repo = join(import.meta.dirname, '..', '..', '..');
const escu = join(repo, '..', 'shared', 'corpus', 'escu');
const evtx = join(repo, '..', 'shared', 'data', 'evtx');

describe.skipIf(!existsSync(escu) || !existsSync(evtx))('eventProjection on the ESCU base searches', () => {
  it('every projected detection gives the rows of the whole events (real captures)', async () => {
    const content = loadScanContent(escu);
    const ctx = scanContext(content);
    const engine = defaultAddonEngine();
    const events: SplunkEvent[] = [];
    const paths = [...committedWindowsCaptures(), ...findLogs([evtx]).map((l) => l.path)];
    for (const path of paths) {
      const st = sourcetypeOf(path);
      if ('error' in st) continue;
      const fmt = formatFor(st.sourcetype);
      if ('error' in fmt) continue;
      await readFixture(
        path,
        fmt,
        (raw) => {
          const meta = { sourcetype: fmt.sourcetype, source: fmt.sourceOf(raw.fields), host: fmt.hostOf(raw.fields) };
          events.push(extractEvent({ addons: engine }, raw, meta));
        },
        { maxIssues: 0 },
      );
    }
    expect(events.length).toBeGreaterThan(10_000);
    let projected = 0;
    let withRows = 0;
    for (const entry of content.detections) {
      if (!entry.data) continue;
      const p = prepareDetection({ file: entry.file, data: entry.data }, ctx, { now: NOW });
      if (!p.replayable) continue;
      const project = projectionOf(p);
      if (!project) continue;
      projected++;
      const whole = await collect(p.plan, events as Event[], { now: NOW });
      const proj = await collect(p.plan, events.map(project) as Event[], { now: NOW });
      expect(proj.rows, entry.file).toEqual(whole.rows);
      if (whole.rows.length > 0) withRows++;
    }
    expect(projected).toBeGreaterThan(100);
    expect(withRows).toBeGreaterThan(0);
    console.log(
      `${projected} projected ESCU base searches over ${events.length} events: same rows (${withRows} with rows)`,
    );
  }, 600_000);
});
