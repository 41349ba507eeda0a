import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContent, type ContentTree } from '@dac/content';
import { contentMacroTable, evaluateSearch, findTstats, parseSearch } from '@dac/spl';
import {
  fixturePathFor,
  prepareDetections,
  replayDetection,
  runTests,
  toJUnit,
  type PreparedDetection,
} from '@dac/replay';

// Cross-package: content (ngrok detection, macros, data_sources) → @dac/spl → @dac/matchers
// (generated matcher) → @dac/normalise → @dac/replay, over the fixtures in test/attack_data.
const repo = join(import.meta.dirname, '../..');
const NGROK = 'detections/endpoint/windows_ngrok_reverse_proxy_usage.yml';
const cacheDir = mkdtempSync(join(tmpdir(), 'dac-replay-cache-'));

function treeWithSearch(edit?: (search: string) => string): ContentTree {
  const tree = loadContent(repo);
  const det = tree.detections.find((d) => d.file.relPath === NGROK)!;
  if (edit) det.data = { ...det.data!, search: edit(det.data!.search) };
  return tree;
}

async function prepared(tree: ContentTree): Promise<PreparedDetection> {
  const det = tree.detections.find((d) => d.file.relPath === NGROK)!;
  const p = (await prepareDetections(tree, [{ file: NGROK, data: det.data! }], { cacheDir })).get(NGROK)!;
  if ('error' in p) throw new Error(p.error);
  return p;
}

const fixture = (name: string) => join(repo, 'test/attack_data/datasets/attack_techniques/T1572/ngrok', name);

describe('dac test over the ngrok detection', () => {
  it('passes every test: Sysmon, 4688 and CrowdStrike positives and the benign NXLog log', async () => {
    const results = await runTests(treeWithSearch(), { files: [NGROK], cacheDir });
    expect(results.map((r) => [r.test, r.status, r.rows.length])).toEqual([
      ['True Positive Test', 'passed', 6],
      ['True Positive Test - Sysmon EventID 1 exact rows', 'passed', 6],
      ['True Positive Test - Windows Event Log Security 4688', 'passed', 3],
      ['True Positive Test - CrowdStrike ProcessRollup2', 'passed', 3],
      ['Benign Test - NXLog atomic T1027', 'passed', 0],
    ]);
    const junit = toJUnit(results);
    expect(junit).toContain('tests="5" failures="0" errors="0"');
  });

  it('FAILS when the where-clause is broken (process_name no longer matches)', async () => {
    const results = await runTests(
      treeWithSearch((s) => s.replace('Processes.process_name=ngrok.exe', 'Processes.process_name=ngrok')),
      { files: [NGROK], cacheDir },
    );
    const byName = Object.fromEntries(results.map((r) => [r.test, r]));
    expect(byName['True Positive Test']!.status).toBe('failed');
    expect(byName['True Positive Test']!.message).toMatch(/did not fire/);
    expect(byName['True Positive Test - Windows Event Log Security 4688']!.status).toBe('failed');
    expect(toJUnit(results)).toMatch(/<failure message="no rows: the detection did not fire">/);
  });

  it('FAILS when the command-line filter is dropped: the must-not-fire events (ngrok.exe version) then fire', async () => {
    const results = await runTests(
      treeWithSearch((s) => s.replace(/Processes\.process IN \([^)]*\)/, '')),
      { files: [NGROK], cacheDir },
    );
    const exact = results.find((r) => r.test === 'True Positive Test - Sysmon EventID 1 exact rows')!;
    expect(exact.status).toBe('failed');
    expect(exact.message).toBe('expected exactly 6 row(s), got 7');
    expect(exact.rows.some((r) => r.process === 'ngrok.exe version')).toBe(true);
  });

  it('explains when no event reaches the data set (wrong source for the events)', async () => {
    const { rows, stats } = await replayDetection(await prepared(treeWithSearch()), [
      { path: fixture('windows-sysmon.log'), sourcetype: 'XmlWinEventLog', source: 'XmlWinEventLog:Security' },
    ]);
    expect(rows).toEqual([]);
    expect(stats.notes.join('\n')).toMatch(
      /no event reached Endpoint.Processes: events of sourcetype "XmlWinEventLog" matched none of .*Windows Event Log Security 4688 \(source XmlWinEventLog:Security, EventCode=4688\)/,
    );
  });

  it('bad test entries are errors, not crashes', async () => {
    const tree = treeWithSearch();
    const det = tree.detections.find((d) => d.file.relPath === NGROK)!;
    det.data = {
      ...det.data!,
      tests: [
        null,
        { name: 'no data', attack_data: [] },
        { name: 'bad url', attack_data: [{ data: 'file:///etc/passwd', source: 's', sourcetype: 'XmlWinEventLog' }] },
      ] as never,
    };
    const results = await runTests(tree, { files: [NGROK], cacheDir });
    expect(results.map((r) => [r.status, r.message])).toEqual([
      ['error', 'a tests: entry is not a mapping'],
      ['failed', 'test has no attack_data'],
      ['failed', expect.stringMatching(/expected an attack_data URL containing \/master\//)],
    ]);
  });

  it('a missing fixture is a clear failure naming --attack-data and --download, never a download without --download', async () => {
    const tree = treeWithSearch();
    const det = tree.detections.find((d) => d.file.relPath === NGROK)!;
    det.data = {
      ...det.data!,
      tests: [
        {
          name: 'gone',
          attack_data: [
            {
              data: 'https://media.githubusercontent.com/media/splunk/attack_data/master/datasets/nope/windows-sysmon.log',
              source: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational',
              sourcetype: 'XmlWinEventLog',
            },
          ],
        },
      ],
    };
    const downloadDir = join(cacheDir, 'downloads');
    const [r] = await runTests(tree, { files: [NGROK], cacheDir, fixtures: { downloadDir } });
    expect(r!.status).toBe('failed');
    expect(r!.message).toBe(
      'missing fixture test/attack_data/datasets/nope/windows-sysmon.log (for https://media.githubusercontent.com/media/splunk/attack_data/master/datasets/nope/windows-sysmon.log); ' +
        `add the file, pass --attack-data DIR (a splunk/attack_data clone), or --download to fetch it into ${downloadDir}`,
    );
    expect(fixturePathFor('https://x/master/../../etc/passwd', repo)).toEqual({
      error: expect.stringMatching(/refusing/),
    });
  });
});

describe('replay rows', () => {
  it("Sysmon rows look like Splunk's after the pipeline (keys, UTC times, case kept)", async () => {
    const { rows, stats } = await replayDetection(await prepared(treeWithSearch()), [
      {
        path: fixture('windows-sysmon.log'),
        sourcetype: 'XmlWinEventLog',
        source: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational',
      },
    ]);
    expect(stats).toMatchObject({ eventsRead: 12, inDataSet: 10, matched: 6, rows: 6, malformed: 0 });
    expect(rows[0]).toEqual({
      dest: 'win-dc-6764986.attackrange.local',
      user: 'ATTACKRANGE\\Administrator',
      parent_process_name: 'cmd.exe',
      process_name: 'NGROK.EXE',
      original_file_name: 'ngrok.exe',
      process: 'NGROK.EXE START --all',
      process_id: '6644',
      parent_process_id: '3920',
      count: '1',
      firstTime: '2024-09-30T14:03:40',
      lastTime: '2024-09-30T14:03:40',
    });
    expect(rows.map((r) => r.process_id).sort()).toEqual(['4312', '5208', '6120', '6644', '7012', '7436']);
  });

  it('4688 rows: hex ids in decimal, bare user name, process path-qualified (Splunk_TA_windows, §4.2)', async () => {
    const { rows } = await replayDetection(await prepared(treeWithSearch()), [
      { path: fixture('windows-security.log'), sourcetype: 'xmlwineventlog', source: 'XmlWinEventLog:Security' },
    ]);
    expect(rows.find((r) => r.process_id === '4312')).toMatchObject({
      user: 'Administrator',
      parent_process_id: '3920',
      process: 'C:\\Users\\Administrator\\Downloads\\ngrok.exe http 8080',
      original_file_name: 'unknown',
    });
  });

  it('the generated matcher agrees with the @dac/spl reference interpreter on every normalised event', async () => {
    const tree = treeWithSearch();
    const det = tree.detections.find((d) => d.file.relPath === NGROK)!.data!;
    const where = findTstats(parseSearch(det.search, contentMacroTable(tree.macros)).pipeline)!.where!;
    const p = await prepared(tree);
    let compared = 0;
    for (const [f, st, src] of [
      ['windows-sysmon.log', 'XmlWinEventLog', undefined],
      ['windows-security.log', 'XmlWinEventLog', undefined],
      ['crowdstrike_falcon.log', 'crowdstrike:events:sensor', 'crowdstrike'],
    ] as const) {
      await replayDetection(p, [{ path: fixture(f), sourcetype: st, source: src }], {
        onEvent: (ev, matched) => {
          compared++;
          expect(matched).toBe(evaluateSearch(where, ev, p.matcher.plan.eventKey));
        },
      });
    }
    expect(compared).toBe(22);
  });

  it('two-phase replay (where-clause fields first, the rest only for matches) gives the same rows as one phase', async () => {
    const tree = treeWithSearch((s) =>
      s
        .replace('Processes.process_name=ngrok.exe', 'Processes.process_name IN (ngrok.exe, certutil.exe)')
        .replace('"*tcp*")', '"*tcp*", "*pfx*")'),
    );
    const p = await prepared(tree);
    expect([...p.whereFields!].sort()).toEqual(['process', 'process_name']);
    const inputs = [
      { path: fixture('windows-sysmon.log'), sourcetype: 'XmlWinEventLog' },
      { path: fixture('windows-security.log'), sourcetype: 'XmlWinEventLog' },
      { path: join(repo, 'test/logs/certutil_sysmon_4688_mixed.raw'), sourcetype: 'XmlWinEventLog' },
    ];
    const two = await replayDetection(p, inputs);
    const one = await replayDetection(p, inputs, { onePhase: true });
    expect(two.rows.length).toBeGreaterThan(9);
    expect(two.rows).toEqual(one.rows);
  });

  it('the mixed real certutil file: both Sysmon and 4688 process events reach the data set (per-event source)', async () => {
    const p = await prepared(
      treeWithSearch((s) =>
        s
          .replace('Processes.process_name=ngrok.exe', 'Processes.process_name=certutil.exe')
          .replace(/Processes\.process IN \([^)]*\)/, ''),
      ),
    );
    const { rows, stats } = await replayDetection(p, [
      { path: join(repo, 'test/logs/certutil_sysmon_4688_mixed.raw'), sourcetype: 'XmlWinEventLog' },
    ]);
    expect(stats).toMatchObject({ eventsRead: 40, skipped: 19, malformed: 0 });
    const sysmon = rows.filter((r) => r.user === 'ATTACKRANGE\\Administrator');
    const sec = rows.filter((r) => r.user === 'administrator');
    expect(sysmon.length).toBeGreaterThan(0);
    expect(sec.length).toBeGreaterThan(0);
    // splunk-semantics.md appendix: 4688 NewProcessId 0x1b28 = Sysmon ProcessId 6952.
    expect(sysmon.some((r) => r.process_id === '6952')).toBe(true);
    expect(sec.some((r) => r.process_id === '6952' && r.parent_process_id === '6860')).toBe(true);
    expect(readFileSync(join(repo, 'test/logs/certutil_sysmon_4688_mixed.raw')).length).toBe(114278);
  });
});
