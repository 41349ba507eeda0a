// The scan's index keys of prepared detections (@dac/scan detectionKeys), on hand-written searches
// (labelled: written for these tests) with the ESCU base macros they call. These were once
// asserted on @dac/replay's own index keys, which the scan replaced (one home for the keys).
import { describe, expect, it } from 'vitest';
import { scanDetections } from '@dac/scan';

const macros = [
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
];

function keysOf(search: string) {
  const { detections, notScanned } = scanDetections({
    detections: [{ file: 'd.yml', data: { name: 'D', search } as never }],
    macros,
    lookups: [],
  });
  expect(notScanned).toEqual([]);
  return detections[0]!.keys;
}

describe('scan index keys of prepared detections', () => {
  it('a leading tstats: its data set and the where-clause equality on the rows (field as tstats keys it)', () => {
    expect(
      keysOf(
        '| tstats `security_content_summariesonly` count min(_time) as firstTime from datamodel=Endpoint.Processes where Processes.process_name=ngrok.exe by Processes.dest | `security_content_ctime(firstTime)`',
      ),
    ).toEqual({
      passes: [{ dataSets: ['Endpoint.Processes'], rowClauses: [[{ field: 'process_name', value: 'ngrok.exe' }]] }],
    });
  });

  it('a raw Sysmon search: the stream clause of the base macro, the EventCode and the Image pattern', () => {
    expect(keysOf('`sysmon` EventCode=1 Image="*\\\\ngrok.exe" | stats count by Computer')).toEqual({
      passes: [
        {
          clauses: [
            [
              { field: 'sourcetype', value: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational' },
              { field: 'source', value: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational' },
              { field: 'source', value: 'Syslog:Linux-Sysmon/Operational' },
            ],
            [{ field: 'EventCode', value: '1' }],
            [{ field: 'Image', value: '*\\ngrok.exe' }],
          ],
        },
      ],
    });
  });

  it('a leading tstats: negations on the rows as exclusions; a term on a field the rows lack leaves its clause', () => {
    // ESCU windows_lolbas_executed_as_renamed_file / windows_network_share_interaction_with_net,
    // shortened: `orig_process_name` is no Endpoint.Processes field (a row never has it).
    expect(
      keysOf(
        '| tstats count from datamodel=Endpoint.Processes where NOT Processes.original_file_name IN ("-","unknown") AND NOT Processes.process_path IN ("*\\\\Program Files*") Processes.process != CASE(X) Processes.user!="unknown" (Processes.process_name="net.exe" OR Processes.orig_process_name="net.exe") by Processes.dest',
      ),
    ).toEqual({
      passes: [
        {
          dataSets: ['Endpoint.Processes'],
          rowClauses: [[{ field: 'process_name', value: 'net.exe' }]],
          rowExclusions: [
            { field: 'original_file_name', values: ['-', 'unknown'], present: false },
            { field: 'process_path', values: ['*\\Program Files*'], present: false },
            { field: 'user', values: ['unknown'], present: true },
          ],
        },
      ],
    });
  });

  it('NOT, comparisons and bare terms are not index keys (only necessary equalities are)', () => {
    expect(keysOf('search NOT EventCode=4 x>3 ngrok (a=1 OR b=2) | stats count')).toEqual({
      passes: [
        {
          clauses: [
            [
              { field: 'a', value: '1' },
              { field: 'b', value: '2' },
            ],
          ],
        },
      ],
    });
  });
});
