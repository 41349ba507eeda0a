import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContent, type ContentTree } from '@dac/content';
import { contentMacroTable, evaluateSearch, findTstats, parseSearch } from '@dac/spl';
import {
  contentContext,
  fixturePathFor,
  prepareDetection,
  replayFiles,
  runTests,
  toJUnit,
  type PreparedDetection,
  type ReplayInput,
} from '@dac/replay';

// Cross-package: content (ngrok detection, macros) → @dac/spl → @dac/normalise (add-on
// extraction, CIM data sets) → @dac/search (tstats + the commands after it) → @dac/replay,
// over the fixtures in test/attack_data.
const repo = join(import.meta.dirname, '../..');
const NGROK = 'detections/endpoint/windows_ngrok_reverse_proxy_usage.yml';

function treeWithSearch(edit?: (search: string) => string): ContentTree {
  const tree = loadContent(repo);
  const det = tree.detections.find((d) => d.file.relPath === NGROK)!;
  if (edit) det.data = { ...det.data!, search: edit(det.data!.search) };
  return tree;
}

function prepared(tree: ContentTree): PreparedDetection {
  const det = tree.detections.find((d) => d.file.relPath === NGROK)!;
  const p = prepareDetection({ file: NGROK, data: det.data! }, contentContext(tree));
  if (!p.replayable) throw new Error(p.reason);
  return p;
}
const replay = (p: PreparedDetection, inputs: ReplayInput[], tree = treeWithSearch()) =>
  replayFiles(p, inputs, contentContext(tree));

const fixture = (name: string) => join(repo, 'test/attack_data/datasets/attack_techniques/T1572/ngrok', name);

describe('dac test over the ngrok detection', () => {
  it('passes every test: Sysmon, 4688 and CrowdStrike positives and the benign NXLog log', async () => {
    const results = await runTests(treeWithSearch(), { files: [NGROK] });
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
      { files: [NGROK] },
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
      { files: [NGROK] },
    );
    const exact = results.find((r) => r.test === 'True Positive Test - Sysmon EventID 1 exact rows')!;
    expect(exact.status).toBe('failed');
    // 8: `ngrok.exe version` fires, and so does the EID 5 termination of ngrok.exe — the Sysmon
    // add-on's ms-sysmon-process eventtype puts EID 5 into Endpoint.Processes (docs/addons.md).
    expect(exact.message).toBe('expected exactly 6 row(s), got 8');
    expect(exact.rows.some((r) => r.process === 'ngrok.exe version')).toBe(true);
  });

  it('explains when no event reaches the data set (wrong source for the events)', async () => {
    const { rows, stats } = await replay(prepared(treeWithSearch()), [
      { path: fixture('windows-sysmon.log'), sourcetype: 'XmlWinEventLog', source: 'XmlWinEventLog:Security' },
    ]);
    expect(rows).toEqual([]);
    // Sysmon events under the Security source: no add-on eventtype tags them process/report.
    expect(stats.notes.join('\n')).toMatch(
      /no event reached Endpoint.Processes: the add-ons put none of the 12 events of sourcetype "XmlWinEventLog" \(source XmlWinEventLog:Security\) into it/,
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
    const results = await runTests(tree, { files: [NGROK] });
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
    const downloadDir = join(mkdtempSync(join(tmpdir(), 'dac-replay-cache-')), 'downloads');
    const [r] = await runTests(tree, { files: [NGROK], fixtures: { downloadDir } });
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
    const { rows, stats } = await replay(prepared(treeWithSearch()), [
      {
        path: fixture('windows-sysmon.log'),
        sourcetype: 'XmlWinEventLog',
        source: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational',
      },
    ]);
    // 11 process events (10 EID 1 and the EID 5 termination: ms-sysmon-process), 6 match the where-clause.
    expect(stats).toMatchObject({ eventsRead: 12, rows: 6, malformed: 0 });
    expect(stats.inDataSet).toBe(11);
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

  it('4688 rows: hex ids kept as the add-on keeps them, bare user name, process path-qualified (Splunk_TA_windows, §4.2)', async () => {
    const { rows } = await replay(prepared(treeWithSearch()), [
      { path: fixture('windows-security.log'), sourcetype: 'xmlwineventlog', source: 'XmlWinEventLog:Security' },
    ]);
    // NewProcessId 0x10d8 = 4312, ProcessId 0xf50 = 3920: Splunk_TA_windows does not convert them.
    expect(rows.find((r) => r.process_id === '0x10d8')).toMatchObject({
      user: 'Administrator',
      parent_process_id: '0xf50',
      process: 'C:\\Users\\Administrator\\Downloads\\ngrok.exe http 8080',
      original_file_name: 'unknown',
    });
  });

  it("the engine's tstats WHERE agrees with the @dac/spl reference interpreter on every data-set row", async () => {
    const tree = treeWithSearch();
    const ctx = contentContext(tree);
    const det = tree.detections.find((d) => d.file.relPath === NGROK)!.data!;
    const where = findTstats(parseSearch(det.search, contentMacroTable(tree.macros)).pipeline)!.where!;
    const key = (f: string) => f.slice(f.lastIndexOf('.') + 1);
    const p = prepared(tree);
    let matching = 0;
    let compared = 0;
    for (const [f, st, src] of [
      ['windows-sysmon.log', 'XmlWinEventLog', undefined],
      ['windows-security.log', 'XmlWinEventLog', undefined],
      ['crowdstrike_falcon.log', 'crowdstrike:events:sensor', 'crowdstrike'],
    ] as const) {
      const { rows } = await replayFiles(p, [{ path: fixture(f), sourcetype: st, source: src }], ctx, {
        onEvent: (ev) => {
          for (const row of ctx.dataModels.rows(ev, 'Endpoint.Processes')) {
            compared++;
            if (evaluateSearch(where, row, key)) matching++;
          }
        },
      });
      expect(rows.length).toBeGreaterThan(0);
    }
    // Every matching row is a distinct process in these fixtures: 6 + 3 + 3.
    expect(matching).toBe(12);
    expect(compared).toBeGreaterThan(matching);
  });

  it('projected extraction (only the fields the data set reads) gives the same rows as full extraction', async () => {
    const tree = treeWithSearch((s) =>
      s
        .replace('Processes.process_name=ngrok.exe', 'Processes.process_name IN (ngrok.exe, certutil.exe)')
        .replace('"*tcp*")', '"*tcp*", "*pfx*")'),
    );
    const p = prepared(tree);
    expect(p.wanted).toBeDefined();
    const inputs = [
      { path: fixture('windows-sysmon.log'), sourcetype: 'XmlWinEventLog' },
      { path: fixture('windows-security.log'), sourcetype: 'XmlWinEventLog' },
      { path: join(repo, 'test/logs/certutil_sysmon_4688_mixed.raw'), sourcetype: 'XmlWinEventLog' },
    ];
    const projected = await replay(p, inputs, tree);
    const full = await replay({ ...p, wanted: undefined }, inputs, tree);
    expect(projected.rows.length).toBeGreaterThan(9);
    expect(projected.rows).toEqual(full.rows);
  });

  it('the mixed real certutil file: both Sysmon and 4688 process events reach the data set (per-event source)', async () => {
    const p = prepared(
      treeWithSearch((s) =>
        s
          .replace('Processes.process_name=ngrok.exe', 'Processes.process_name=certutil.exe')
          .replace(/Processes\.process IN \([^)]*\)/, ''),
      ),
    );
    const { rows, stats } = await replay(p, [
      { path: join(repo, 'test/logs/certutil_sysmon_4688_mixed.raw'), sourcetype: 'XmlWinEventLog' },
    ]);
    expect(stats).toMatchObject({ eventsRead: 40, skipped: 19, malformed: 0 });
    const sysmon = rows.filter((r) => r.user === 'ATTACKRANGE\\Administrator');
    const sec = rows.filter((r) => r.user === 'administrator');
    expect(sysmon.length).toBeGreaterThan(0);
    expect(sec.length).toBeGreaterThan(0);
    // splunk-semantics.md appendix: 4688 NewProcessId 0x1b28 = Sysmon ProcessId 6952 (the add-on
    // keeps the hex text; 6860 = 0x1acc).
    expect(sysmon.some((r) => r.process_id === '6952')).toBe(true);
    expect(sec.some((r) => r.process_id === '0x1b28' && r.parent_process_id === '0x1acc')).toBe(true);
    expect(readFileSync(join(repo, 'test/logs/certutil_sysmon_4688_mixed.raw')).length).toBe(114278);
  });
});
