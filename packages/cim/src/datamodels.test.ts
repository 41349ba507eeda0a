import { describe, expect, it } from 'vitest';
import { buildDataModel, loadDataModels, qualifiedFieldName } from './datamodels.js';

describe('CIM 4.20 data models', () => {
  const models = loadDataModels();

  it('loads all 27 Splunk_SA_CIM 4.20 models', () => {
    expect(models.names()).toHaveLength(27);
    expect(models.names()).toContain('Endpoint');
    expect(models.names()).toContain('Network_Traffic');
  });

  it('Endpoint.Processes has the extracted, calculated and built-in fields (splunk-semantics.md §3.3)', () => {
    const ds = models.dataset('Endpoint', ['Processes'])!;
    expect(ds.path).toEqual(['Processes']);
    const byName = new Map(ds.fields.map((f) => [f.name, f]));
    for (const n of [
      'action',
      'dest',
      'process',
      'process_name',
      'parent_process_name',
      'original_file_name',
      'process_id',
      'user',
      'vendor_product',
      '_time',
      'host',
      'source',
      'sourcetype',
    ]) {
      expect(byName.has(n), n).toBe(true);
    }
    expect(byName.get('process_name')!.kind).toBe('calculated');
    expect(byName.get('process_hash')!.multivalue).toBe(true);
    expect(byName.get('process_id')!.type).toBe('number');
    expect(byName.get('_time')!.kind).toBe('builtin');
    expect(ds.baseSearch).toContain('tag=process tag=report');
  });

  it('resolves written names: lineage prefix, built-ins, nodename; rejects typos and other datasets', () => {
    const ds = models.dataset('Endpoint', ['Processes'])!;
    expect(models.resolveField(ds, 'Processes.process_name')?.name).toBe('process_name');
    expect(models.resolveField(ds, '_time')?.name).toBe('_time');
    expect(models.resolveField(ds, 'host')?.kind).toBe('builtin');
    expect(models.resolveField(ds, 'nodename')?.kind).toBe('nodename');
    expect(models.resolveField(ds, 'Processes.proces_name')).toBeUndefined();
    // Field names are case-sensitive (splunk-semantics.md §1.1).
    expect(models.resolveField(ds, 'Processes.Process_Name')).toBeUndefined();
    expect(models.resolveField(ds, 'process_name')).toBeUndefined();
    expect(models.resolveField(ds, 'Filesystem.file_name')).toBeUndefined();
    expect(models.resolveField(ds, 'Processes._time')).toBeUndefined();
  });

  it('child datasets inherit fields and add their own under the lineage prefix', () => {
    const failed = models.dataset('Authentication', ['Authentication', 'Failed_Authentication'])!;
    expect(failed.path).toEqual(['Authentication', 'Failed_Authentication']);
    expect(failed.constraint).toBe('action="failure"');
    expect(failed.parent?.name).toBe('Authentication');
    expect(models.resolveField(failed, 'Authentication.user')?.name).toBe('user');
    // A unique child name alone also selects it (`from datamodel=Authentication.Failed_Authentication`).
    expect(models.dataset('Authentication', ['Failed_Authentication'])).toBe(failed);

    const changes = models.dataset('Change', ['All_Changes'])!;
    // A descendant's own field, written with the descendant's lineage (used with nodename=).
    expect(models.resolveField(changes, 'All_Changes.Account_Management.src_user')?.name).toBe('src_user');
    expect(models.resolveField(changes, 'All_Changes.src_user')).toBeUndefined();
    const acct = models.dataset('Change', ['All_Changes', 'Account_Management'])!;
    expect(models.resolveField(acct, 'All_Changes.dest')?.name).toBe('dest');
    expect(qualifiedFieldName(models.resolveField(acct, 'All_Changes.Account_Management.src_user')!)).toBe(
      'All_Changes.Account_Management.src_user',
    );
  });

  it('resolves fields of a model selected without dataset by the root prefix', () => {
    expect(models.resolveInModel('Network_Traffic', 'All_Traffic.dest_port')?.dataset.name).toBe('All_Traffic');
    expect(models.resolveInModel('Network_Traffic', 'All_Traffic.nope')).toBeUndefined();
    expect(models.model('Nope')).toBeUndefined();
    expect(models.dataset('Endpoint', ['Nope'])).toBeUndefined();
  });

  it('builds a model from minimal JSON, children listed before parents', () => {
    const m = buildDataModel({
      modelName: 'M',
      objects: [
        { objectName: 'C', parentName: 'R', fields: [{ fieldName: 'c' }], constraints: [{ search: 'x=1' }] },
        { objectName: 'R', parentName: 'BaseEvent', fields: [{ fieldName: 'r', type: 'number', multivalue: true }] },
      ],
    });
    expect(m.roots.map((r) => r.name)).toEqual(['R']);
    const c = m.datasets.find((d) => d.name === 'C')!;
    expect(c.path).toEqual(['R', 'C']);
    expect(c.fields.map((f) => f.name).slice(0, 2)).toEqual(['r', 'c']);
  });
});
