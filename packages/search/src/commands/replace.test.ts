import { describe, expect, it } from 'vitest';
import { runSpl } from '../testing.js';

describe('replace / addtotals', () => {
  it('replace swaps whole values (case-sensitive, first pair wins) IN the listed fields (ESCU %%14674 form)', async () => {
    const ev = [
      { _time: 1, OperationType: '%%14674', other: '%%14674' },
      { _time: 2, OperationType: '%%14675' },
      { _time: 3, OperationType: 'x%%14674' },
    ];
    const r = await runSpl(
      '* | replace "%%14674" with "Value Added", "%%14675" with "Value Deleted" in OperationType | table OperationType other',
      ev,
    );
    expect(r.rows).toEqual([
      { OperationType: 'Value Added', other: '%%14674' },
      { OperationType: 'Value Deleted' },
      { OperationType: 'x%%14674' },
    ]);
  });
  it('replace wildcards carry the matched text', async () => {
    const r = await runSpl('* | replace *.exe with *_bin IN p | table p', [{ _time: 1, p: 'cmd.exe' }]);
    expect(r.rows).toEqual([{ p: 'cmd_bin' }]);
  });
  it('addtotals sums the listed numeric fields of each row into fieldname (ESCU PowerShell score form); col=true adds a totals row', async () => {
    const ev = [
      { _time: 1, a: '1', b: '2', c: 'x' },
      { _time: 2, a: '3' },
    ];
    expect((await runSpl('* | addtotals fieldname=Score a, b, c | table Score', ev)).rows).toEqual([
      { Score: '3' },
      { Score: '3' },
    ]);
    expect((await runSpl('* | fields - _time | addtotals col=true labelfield=l | table a b Total l', ev)).rows).toEqual(
      [
        { a: '1', b: '2', Total: '3' },
        { a: '3', Total: '3' },
        { a: '4', b: '2', Total: '6', l: 'Total' },
      ],
    );
  });
});
