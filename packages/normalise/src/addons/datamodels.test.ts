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
