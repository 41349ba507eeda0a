import { describe, expect, it } from 'vitest';
import { runSpl } from '../testing.js';

const ev = [{ _time: 1, _raw: 'r', 'Processes.dest': 'd', 'Processes.user': 'u', count: '3', other: 'o' }];
const one = async (spl: string) => (await runSpl(spl, ev)).rows[0]!;

describe('table / fields', () => {
  it('table keeps the listed fields in the listed order, wildcards in row order, and drops internal fields', async () => {
    const r = await one('* | table count Processes.* missing');
    expect(Object.keys(r)).toEqual(['count', 'Processes.dest', 'Processes.user']);
  });
  it('fields keeps the listed fields and _time/_raw; fields - removes (wildcards too)', async () => {
    expect(Object.keys(await one('* | fields count'))).toEqual(['count', '_time', '_raw']);
    expect(Object.keys(await one('* | fields - Processes.* _raw'))).toEqual(['_time', 'count', 'other']);
    expect(Object.keys(await one('* | fields -other'))).not.toContain('other');
  });
});
