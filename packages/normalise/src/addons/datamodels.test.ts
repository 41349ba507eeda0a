// Hand-written events (labelled): each test pins how a CIM 4.20 data-model JSON
// (schemas/datamodels) decides membership and computes a row.
import { describe, expect, it } from 'vitest';
import { defaultDataModels } from './datamodels.js';

const dm = defaultDataModels();

describe('CIM data sets from the data-model JSON', () => {
  it('resolves tstats targets: a model with one root, Model.Dataset, a child by name, a full lineage', () => {
    expect(dm.resolve('Network_Traffic')?.path).toBe('Network_Traffic.All_Traffic');
    expect(dm.resolve('Authentication')?.path).toBe('Authentication.Authentication');
    expect(dm.resolve('Web')?.path).toBe('Web.Web');
    expect(dm.resolve('Change')?.path).toBe('Change.All_Changes');
    expect(dm.resolve('Endpoint')).toBeUndefined(); // five roots: a data set must be named
    expect(dm.resolve('Endpoint.Processes')?.constraints).toEqual([
      '(`cim_Endpoint_indexes`) tag=process tag=report | eval process_integrity_level=lower(process_integrity_level)',
    ]);
    expect(dm.resolve('Authentication.Failed_Authentication')?.path).toBe(
      'Authentication.Authentication.Failed_Authentication',
    );
    expect(dm.resolve('Change.All_Changes.Account_Management.Accounts_Created')?.lineage).toEqual([
      'All_Changes',
      'Account_Management',
      'Accounts_Created',
    ]);
    expect(dm.resolve('Nope.Nothing')).toBeUndefined();
  });

  it('membership is the constraint search over the event (tags), the child constraint on top of the parent', () => {
    const ev = { tag: ['authentication'], action: 'failure', user: 'bob' };
    expect(dm.contains(ev, 'Authentication')).toBe(true);
    expect(dm.contains(ev, 'Authentication.Failed_Authentication')).toBe(true);
    expect(dm.contains(ev, 'Authentication.Successful_Authentication')).toBe(false);
    // `NOT (action=success user=*$)`: a machine account's success is excluded.
    expect(dm.contains({ tag: 'authentication', action: 'success', user: 'PC1$' }, 'Authentication')).toBe(false);
    expect(dm.contains({ tag: ['process'] }, 'Endpoint.Processes')).toBe(false); // needs report too
  });

  it('Processes calculations: process_name falls back to the first token of process, empty fields become unknown', () => {
    const [row] = dm.rows(
      {
        tag: ['process', 'report'],
        process: '"C:\\x\\ngrok.exe" tcp 80',
        process_integrity_level: 'High',
        sourcetype: 'st',
      },
      'Endpoint.Processes',
    );
    expect(row).toMatchObject({
      process_name: '"C:\\x\\ngrok.exe"', // CIM 4.20: `replace(process,"^\s*([^\s]+).*","\1")`, quotes kept
      process_integrity_level: 'high',
      dest: 'unknown',
      user: 'unknown',
      parent_process_name: 'unknown',
      vendor_product: 'st',
      sourcetype: 'st',
    });
    expect(row.process_id).toBeUndefined(); // no fill for ids
  });

  it('Endpoint.Ports mvexpands transport_dest_port: one row per transport/port pair', () => {
    const rows = dm.rows(
      { tag: ['listening', 'port'], transport: ['tcp', 'udp'], dest_port: ['443', '53'] },
      'Endpoint.Ports',
    );
    expect(rows.map((r) => r.transport_dest_port)).toEqual(['tcp/443', 'udp/53']);
  });

  it('Change.All_Changes excludes file, directory and registry objects', () => {
    expect(dm.contains({ tag: 'change', object_category: 'file' }, 'Change')).toBe(false);
    expect(dm.contains({ tag: 'change', object_category: 'user' }, 'Change')).toBe(true);
  });

  it('nodes: every data set of a model the event is in (tstats nodename values)', () => {
    expect(dm.nodes({ tag: ['network', 'communicate'], action: 'blocked' }, 'Network_Traffic')).toEqual([
      'All_Traffic',
      'All_Traffic.Traffic_By_Action',
      'All_Traffic.Traffic_By_Action.Blocked_Traffic',
    ]);
  });

  it('reads: the event fields a data set needs (for reader projections); lookups it cannot run are listed', () => {
    expect([...(dm.reads('Endpoint.Processes') ?? [])]).toEqual(
      expect.arrayContaining(['tag', 'process', 'process_name', 'dest']),
    );
    expect(dm.problems.some((p) => p.includes('cim_dns_reply_code_lookup'))).toBe(true);
  });
});

/** What a consumer can see of rows: prototype, own keys in order, values (toEqual alone ignores the first two). */
function exactRows(rows: readonly Record<string, unknown>[]) {
  return rows.map((r) => ({
    proto:
      Object.getPrototypeOf(r) === null ? 'null' : Object.getPrototypeOf(r) === Object.prototype ? 'Object' : 'other',
    keys: Reflect.ownKeys(r),
    values: Object.values(r),
  }));
}

// A row takes data-set fields no calculation touches straight from the event (rowOf's layout);
// the plain path copies every field through the calculations' work row. Over generated member
// events (every data set's own tags, fields drawn from what its constraints and calculations
// read: empty strings, numbers, nulls, multivalues and empty lists included) both give the same
// rows for every data set. The plain path also builds rows by stores over a work row that
// deletes emptied fields, with every eval remembered by its inputs; the fast one (rowPlan) runs
// the calculations over a fixed-shape work literal (undefined: absent), evaluates cheap evals
// directly, takes a defaulting eval's non-empty string as its result (passthroughField) and
// builds the row by a literal per presence pattern: the same prototype, own keys in the same
// order and values.
describe('row layout fast path', () => {
  it('rows equal the plain path (every field through the work copy) for every data set', async () => {
    const fc = (await import('fast-check')).default;
    const { createDataModelProvider } = await import('./datamodels.js');
    const fast = createDataModelProvider();
    const plain = createDataModelProvider({ plainRows: true });
    const sets = fast.dataSets();
    const names = [...new Set(sets.flatMap((d) => [...d.fields, ...(fast.reads(d.path) ?? [])]))];
    const tags = [
      'process',
      'report',
      'endpoint',
      'filesystem',
      'registry',
      'network',
      'authentication',
      'change',
      'service',
      'listening',
      'port',
    ];
    const value = fc.oneof(
      fc.constantFrom(
        'x',
        '',
        ' ',
        'C:\\a\\b.exe',
        'High',
        '4688',
        '0',
        '1.50',
        'success',
        'failure',
        'tcp',
        'unknown',
      ),
      fc.string({ maxLength: 6 }),
      fc.integer({ min: -5, max: 5 }),
      fc.constant(null),
      fc.array(fc.oneof(fc.constantFrom('a', '80', '443', 'udp', ''), fc.string({ maxLength: 3 })), { maxLength: 3 }),
    );
    const event = fc.record({
      fields: fc.dictionary(fc.constantFrom(...names), value, { maxKeys: 30 }),
      tag: fc.subarray(tags, { minLength: 1 }),
      action: fc.constantFrom('success', 'failure', 'created', 'deleted'),
    });
    fc.assert(
      fc.property(event, ({ fields, tag, action }) => {
        const ev = Object.assign(Object.create(null), fields, {
          tag,
          action,
          _time: 1,
          host: 'h',
          source: 's',
          sourcetype: 'st',
          index: 'main',
        });
        for (const d of sets) expect(exactRows(fast.rows(ev, d.path))).toEqual(exactRows(plain.rows(ev, d.path)));
      }),
      { numRuns: 400 },
    );
  });

  // passthroughField's claim, per CIM calculation it recognises: whenever the field holds a
  // non-empty string, the compiled expression's value is that string — whatever the other
  // fields hold (defaults, vendor/product, …).
  it('passthroughField: a recognised CIM eval returns the field itself when it is a non-empty string', async () => {
    const fc = (await import('fast-check')).default;
    const { passthroughField } = await import('./datamodels.js');
    const { compileEvalExpr, parseEvalText } = await import('./eval-compile.js');
    const { loadDataModels } = await import('@dac/cim');
    const models = loadDataModels();
    const exprs: string[] = [];
    for (const name of models.names())
      for (const d of models.model(name)!.datasets)
        for (const c of d.calculations) if (c.type === 'Eval' && c.expression) exprs.push(c.expression);
    let recognised = 0;
    const other = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.string({ maxLength: 4 }),
      fc.constantFrom('', 'unknown', '0', 'x'),
      fc.integer(),
      fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 }),
    );
    const nonEmpty = fc.oneof(
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.constantFrom(' ', '0', '-1', '1e3', 'NULL', 'null', 'unknown', '""', 'C:\\x.exe'),
    );
    for (const text of exprs) {
      const parsed = parseEvalText(text);
      if ('error' in parsed) continue;
      const f = passthroughField(parsed.expr);
      if (!f) continue;
      recognised++;
      const c = compileEvalExpr(parsed.expr);
      expect(c.mode).toBe('compiled');
      fc.assert(
        fc.property(nonEmpty, fc.array(other, { minLength: c.reads.length, maxLength: c.reads.length }), (v, rest) => {
          const row: Record<string, unknown> = Object.create(null);
          c.reads.forEach((r, i) => {
            if (rest[i] !== undefined) row[r] = rest[i];
          });
          row[f] = v;
          expect(c.fn(row as never)).toBe(v);
        }),
        { numRuns: 60 },
      );
    }
    // Most CIM calculations are the defaulting shapes (`if(isnull(x) OR x="","unknown",x)`, …).
    expect(recognised).toBeGreaterThan(100);
    // Not recognised: a test on another field, or another result.
    const not = ['if(isnull(a) OR a="","unknown",b)', 'if(isnull(a) OR b="","unknown",a)', 'case(isnull(a),a,1=1,"x")'];
    for (const t of not) {
      const p = parseEvalText(t);
      expect('expr' in p && passthroughField(p.expr)).toBe(undefined);
    }
  });
});
