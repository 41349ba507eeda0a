// Prepared detections over hand-written extracted events (labelled: written for these tests). The
// tstats facts are those the old tstats-only engine was tested with (splunk-semantics.md §1.10, §2),
// now through the search engine and the CIM data sets of @dac/normalise.
import { builtinMacros, macroTableFrom, parseSearch } from '@dac/spl';
import { describe, expect, it } from 'vitest';
import { defaultAddonEngine, defaultDataModels, type SplunkEvent } from '@dac/normalise';
import { lookupProvider } from '@dac/search';
import { prepareDetection, rawSearchFields, type ContentContext, type PreparedDetection } from './prepared.js';

const ctx: ContentContext = {
  macros: new Map([
    ...builtinMacros(),
    ...macroTableFrom([
      {
        name: 'sysmon',
        args: [],
        definition:
          'sourcetype=XmlWinEventLog:Microsoft-Windows-Sysmon/Operational OR source=XmlWinEventLog:Microsoft-Windows-Sysmon/Operational OR source=Syslog:Linux-Sysmon/Operational',
      },
      { name: 'security_content_summariesonly', args: [], definition: 'summariesonly=false fillnull_value=null' },
      // ESCU macros/security_content_ctime.yml
      {
        name: 'security_content_ctime',
        args: ['field'],
        definition: 'convert timeformat="%Y-%m-%dT%H:%M:%S" ctime($field$)',
      },
    ]),
  ]),
  lookups: lookupProvider([], new Map([['kv', 'is a KV store collection']])),
  dataModels: defaultDataModels(),
  addons: defaultAddonEngine(),
};

/** A process event as the add-ons would give it: tagged process/report (Endpoint.Processes' constraint). */
const proc = (f: Record<string, string | string[] | number>): SplunkEvent => ({
  tag: ['process', 'report'],
  sourcetype: 'XmlWinEventLog',
  source: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational',
  index: 'main',
  ...f,
});

function prep(search: string): PreparedDetection {
  const p = prepareDetection({ file: 'd.yml', data: { name: 'D', search } }, ctx, { now: 0 });
  if (!p.replayable) throw new Error(p.reason);
  return p;
}

async function rows(search: string, events: SplunkEvent[]) {
  const run = await prep(search).open();
  for (const e of events) run.push(e);
  return (await run.end()).rows;
}

describe('tstats through prepared detections (splunk-semantics.md §1.10)', () => {
  it('groups by BY fields, counts, and takes min/max(_time)', async () => {
    expect(
      await rows(
        '| tstats count min(_time) as firstTime max(_time) as lastTime from datamodel=Endpoint.Processes by Processes.dest',
        [proc({ dest: 'b', _time: 10.5 }), proc({ dest: 'a', _time: 20 }), proc({ dest: 'b', _time: 5 })],
      ),
    ).toEqual([
      { 'Processes.dest': 'a', count: '1', firstTime: '20', lastTime: '20' },
      { 'Processes.dest': 'b', count: '2', firstTime: '5', lastTime: '10.5' },
    ]);
  });

  it('drops rows with a null BY field unless fillnull_value is set (ESCU sets "null", §2)', async () => {
    const events = [proc({ dest: 'a', process_id: '1' }), proc({ dest: 'a' }), proc({ dest: 'a' })];
    const by = 'from datamodel=Endpoint.Processes by Processes.dest Processes.process_id';
    expect(await rows(`| tstats count ${by}`, events)).toEqual([
      { 'Processes.dest': 'a', 'Processes.process_id': '1', count: '1' },
    ]);
    expect(await rows(`| tstats \`security_content_summariesonly\` count ${by}`, events)).toEqual([
      { 'Processes.dest': 'a', 'Processes.process_id': '1', count: '1' },
      { 'Processes.dest': 'a', 'Processes.process_id': 'null', count: '2' },
    ]);
  });

  it('splits multivalue BY fields into one row per value (§1.8)', async () => {
    expect(
      await rows('| tstats count from datamodel=Endpoint.Processes by Processes.process_hash', [
        proc({ process_hash: ['x', 'y'] }),
        proc({ process_hash: 'x' }),
      ]),
    ).toEqual([
      { 'Processes.process_hash': 'x', count: '2' },
      { 'Processes.process_hash': 'y', count: '1' },
    ]);
  });

  it('only events the data set takes (its tag constraint) count; the ngrok tail runs after tstats', async () => {
    const p = prep(
      '| tstats `security_content_summariesonly` count min(_time) as firstTime from datamodel=Endpoint.Processes where Processes.process_name=ngrok.exe by Processes.dest | `drop_dm_object_name(Processes)` | `security_content_ctime(firstTime)`',
    );
    expect(p.dataSet).toBe('Endpoint.Processes');
    expect(p.fillnull).toBe('null');
    const run = await p.open();
    run.push(proc({ dest: 'dc', process_name: 'ngrok.exe', _time: 1727705112.330205 }));
    run.push({ ...proc({ dest: 'x', process_name: 'ngrok.exe', _time: 1 }), tag: 'network' });
    const r = await run.end();
    expect(r.rows).toEqual([{ dest: 'dc', count: '1', firstTime: '2024-09-30T14:05:12' }]);
    expect(r.inDataSet).toBe(1);
  });
});

describe('raw searches and reasons', () => {
  it('a raw Sysmon search counts only the EventCode it names (index keys: test/scan/keys.test.ts)', async () => {
    const p = prep('`sysmon` EventCode=1 Image="*\\\\ngrok.exe" | stats count by Computer');
    const run = await p.open();
    run.push(proc({ EventCode: '1', Image: 'C:\\x\\ngrok.exe', Computer: 'h' }));
    run.push(proc({ EventCode: '3', Image: 'C:\\x\\ngrok.exe', Computer: 'h' }));
    expect((await run.end()).rows).toEqual([{ Computer: 'h', count: '1' }]);
  });

  it('names the first thing that needs live Splunk or is missing', () => {
    const reason = (search: string) => {
      const p = prepareDetection({ file: 'd.yml', data: { name: 'D', search } }, ctx);
      return p.replayable ? 'replayable' : p.reason;
    };
    expect(reason('`sysmon` | iplocation src | stats count')).toMatch(/^not replayable: command iplocation needs/);
    expect(reason('| tstats count from datamodel=Risk.All_Risk')).toMatch(/Risk is not one of the CIM 4.20 models/);
    expect(reason('`sysmon` | lookup kv a')).toMatch(/KV store/);
    expect(reason('`nosuchmacro` | stats count')).toMatch(/does not parse/);
  });
});

describe('rawSearchFields: which fields a raw search can read (extraction projection)', () => {
  const fields = (spl: string) => {
    const p = parseSearch(spl, ctx.macros);
    const f = rawSearchFields(p.pipeline, p.expanded);
    return f && [...f];
  };
  it('a base search + eval + stats by: the names written up to the stats, and the default fields', () => {
    const f = fields(
      '`sysmon` EventCode=10 TargetImage=*lsass.exe | eval x=lower(SourceImage) | stats count by dest, x',
    )!;
    expect(f).toEqual(
      expect.arrayContaining(['EventCode', 'TargetImage', 'SourceImage', 'dest', 'source', '_time', '_raw']),
    );
    expect(f).not.toContain('GrantedAccess');
  });
  it('unknown when any field may be read: no restricting command, a subsearch, a field wildcard, transaction, fillnull of all', () => {
    expect(fields('search EventCode=1')).toBeUndefined();
    expect(
      fields('search EventCode=1 [| makeresults | eval Image="x" | fields Image] | stats count by Image'),
    ).toBeUndefined();
    expect(fields('search EventCode=1 | stats values(*) as * by Image')).toBeUndefined();
    expect(fields('search EventCode=1 | transaction Image | stats count by Image')).toBeUndefined();
    expect(fields('search EventCode=1 | fillnull | stats count by Image')).toBeUndefined();
    expect(fields('search EventCode=1 | fillnull value=x Image | stats count by Image')).toContain('Image');
  });
});
