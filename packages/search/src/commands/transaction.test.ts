import { describe, expect, it } from 'vitest';
import { runSpl } from '../testing.js';

const ev = [
  { _time: 100, _raw: 'e1', Task_Name: 't1', EventCode: '4698', user: 'a' },
  { _time: 160, _raw: 'e2', Task_Name: 't1', EventCode: '4699', user: 'b' },
  { _time: 200, _raw: 'e3', Task_Name: 't2', EventCode: '4698' },
  { _time: 5000, _raw: 'e4', Task_Name: 't1', EventCode: '4698' },
];

describe('transaction', () => {
  it('groups by field; _time of the first event, duration, eventcount, merged values; newest first', async () => {
    const r = await runSpl('* | transaction Task_Name | table _time Task_Name eventcount duration user', ev);
    expect(r.rows).toEqual([
      { _time: '200', Task_Name: 't2', eventcount: '1', duration: '0' },
      { _time: '100', Task_Name: 't1', eventcount: '3', duration: '4900', user: ['a', 'b'] },
    ]);
  });
  it('maxspan / maxpause split a transaction', async () => {
    const r = await runSpl('* | transaction Task_Name maxpause=5m | table _time eventcount', ev);
    expect(r.rows.map((x) => [x._time, x.eventcount])).toEqual([
      ['5000', '1'],
      ['200', '1'],
      ['100', '2'],
    ]);
  });
  it('startswith=(search) / endswith=(search): only closed transactions (ESCU scheduled-task form)', async () => {
    const r = await runSpl(
      '* | transaction Task_Name startswith=(EventCode=4698) endswith=(EventCode=4699) | table _time eventcount _raw',
      ev,
    );
    expect(r.rows).toEqual([{ _time: '100', eventcount: '2', _raw: 'e1\ne2' }]);
  });
  it('keepevicted=true keeps the transactions that never closed', async () => {
    const r = await runSpl(
      '* | transaction Task_Name startswith=(EventCode=4698) endswith=(EventCode=4699) keepevicted=true | table _time closed_txn',
      ev,
    );
    expect(r.rows.map((x) => [x._time, x.closed_txn])).toEqual([
      ['5000', '0'],
      ['200', '0'],
      ['100', '1'],
    ]);
  });
});
