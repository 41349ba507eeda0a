import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runSpl } from '../testing.js';
import type { Event } from '../types.js';

const ev = [{ _time: 1, 'Processes.dest': 'd', 'Processes.user': 'u', Computer: 'c', dest: 'old' }];
const one = async (spl: string) => (await runSpl(spl, ev)).rows[0]!;

describe('rename', () => {
  it('wildcards carry the matched text: "Processes.*" as * (drop_dm_object_name)', async () => {
    expect(await one('* | `drop_dm_object_name(Processes)`')).toEqual({
      _time: '1',
      dest: 'd',
      user: 'u',
      Computer: 'c',
    });
  });
  it('renaming onto an existing field replaces it; several renames run left to right', async () => {
    expect(await one('* | rename Computer as dest, dest as host | table host')).toEqual({ host: 'c' });
  });
  it('a field that does not exist is not renamed and leaves the target alone', async () => {
    expect((await one('* | rename nothing as dest')).dest).toBe('old');
  });
});

describe('rename with a wildcard over rows of changing shapes (its plan is kept per row shape)', () => {
  /** The rename as Splunk defines it, row by row: every field matching `P.*` renamed, in row order. */
  function plain(row: Record<string, string>): [string, string][] {
    const to = (k: string) => (k.startsWith('P.') ? k.slice(2) : undefined);
    const renamed = new Set(
      Object.keys(row)
        .map(to)
        .filter((t) => t !== undefined),
    );
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(row)) {
      const t = to(k);
      if (t !== undefined) out[t] = v;
      else if (!renamed.has(k)) out[k] = v;
    }
    return Object.entries(out);
  }
  // Fields in any order (a shape is the fields in order), some of which rename onto others.
  const field = fc.constantFrom('P.a', 'P.b', 'a', 'b', 'c', 'P.c', 'Pa');
  const row = fc
    .uniqueArray(fc.tuple(field, fc.constantFrom('1', '2', 'x')), { selector: (t) => t[0], maxLength: 5 })
    .map((entries) => Object.fromEntries(entries) as Record<string, string>);
  it('gives every row the fields and order of a plain rename', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(row, fc.constant({ 'P.a': '1', b: '2' })), { maxLength: 8 }), async (rows) => {
        const events = rows.map((r) => ({ _raw: 'e', ...r }) as Event);
        const got = (await runSpl('* | rename "P.*" as * | fields - _raw', events)).rows;
        expect(got.map((r) => Object.entries(r))).toEqual(
          rows.map((r) => plain(r)).map((entries) => entries.filter(([k]) => k !== '_raw')),
        );
      }),
      { numRuns: 150 },
    );
  });
});
