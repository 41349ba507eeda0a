import { describe, expect, it } from 'vitest';
import { runSpl } from '../testing.js';

describe('foreach', () => {
  it("runs the template once per matching field; '<<FIELD>>' reads the field (ESCU linux_auditd form)", async () => {
    const ev = [{ _time: 1, type: 'EXECVE', a0: 'bash', a1: '-c', b: 'no' }];
    const spl =
      '* | foreach a* [eval relevant_fields=if(type="EXECVE", mvappend(relevant_fields, \'<<FIELD>>\'), relevant_fields)] | table relevant_fields';
    expect((await runSpl(spl, ev)).rows).toEqual([{ relevant_fields: ['bash', '-c'] }]);
  });
  it('<<MATCHSTR>> and <<MATCHSEG1>> are the parts the wildcard matched', async () => {
    const ev = [{ _time: 1, count_x: '2', count_y: '3' }];
    const spl =
      '* | foreach count_* [eval total=coalesce(total, 0) + \'<<FIELD>>\', names=mvappend(names, "<<MATCHSTR>>"), seg=mvappend(seg, "<<MATCHSEG1>>")] | table total names seg';
    expect((await runSpl(spl, ev)).rows).toEqual([{ total: '5', names: ['x', 'y'], seg: ['x', 'y'] }]);
  });
});
