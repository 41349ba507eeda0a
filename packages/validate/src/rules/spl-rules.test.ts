import { afterEach, describe, expect, it } from 'vitest';
import { validate } from '../validate.js';
import { DETECTION, detectionWith, writeTree } from '../testing.js';

const DET = 'detections/endpoint/demo_process_detection.yml';
let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

async function run(overrides: Record<string, string | null>) {
  const t = writeTree(overrides);
  cleanups.push(t.cleanup);
  return validate({ root: t.root, workers: 0 });
}

function at(text: string, needle: string): { line: number; column: number } {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`${needle} not found`);
  const before = text.slice(0, i).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

const rules = (r: Awaited<ReturnType<typeof run>>) => r.diagnostics.map((d) => d.rule);

describe('SPL-backed rules (@dac/spl parse shared per detection)', () => {
  it('spl-syntax: unbalanced subsearch bracket, at the bracket', async () => {
    const text = detectionWith(
      '| `drop_dm_object_name(Processes)`',
      '| join dest [| search x=1 | `drop_dm_object_name(Processes)`',
    );
    const r = await run({ [DET]: text });
    expect(rules(r)).toContain('spl-syntax');
    const d = r.diagnostics.find((x) => x.rule === 'spl-syntax')!;
    expect(d.line).toBe(at(text, '[| search').line);
  });

  it('unknown-macro: undefined macro, at its backtick in the YAML, with a suggestion', async () => {
    const text = detectionWith('`security_content_ctime(firstTime)`', '`security_content_ctim(firstTime)`');
    const r = await run({ [DET]: text });
    expect(r.diagnostics).toMatchObject([{ rule: 'unknown-macro', ...at(text, '`security_content_ctim(') }]);
    expect(r.diagnostics[0]!.message).toContain('did you mean `security_content_ctime`');
  });

  it('unknown-macro: the filter macro is implied, CIM macros are built in, ES macros are ignored', async () => {
    const r = await run({
      'macros/drop_dm_object_name.yml': null,
      [DET]: detectionWith(
        '| `drop_dm_object_name(Processes)`',
        '| `drop_dm_object_name(Processes)` | `get_asset(dest)`',
      ),
    });
    expect(r.diagnostics).toEqual([]);
  });

  it('macro-call: wrong number of arguments', async () => {
    const text = detectionWith('`security_content_ctime(firstTime)`', '`security_content_ctime`');
    const r = await run({ [DET]: text });
    expect(r.diagnostics).toMatchObject([{ rule: 'macro-call', ...at(text, '`security_content_ctime`') }]);
  });

  it('spl-unsupported: a macro expansion bomb is stopped and reported', async () => {
    const macros: Record<string, string> = {
      'macros/m0.yml':
        'name: m0\ndefinition: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\ndescription: d\n',
    };
    for (let i = 1; i <= 6; i++)
      macros[`macros/m${i}.yml`] = `name: m${i}\ndefinition: '${Array(10)
        .fill(`\`m${i - 1}\``)
        .join(' ')}'\ndescription: d\n`;
    const r = await run({
      ...macros,
      [DET]: detectionWith('| `drop_dm_object_name(Processes)`', '| search `m6` | `drop_dm_object_name(Processes)`'),
    });
    expect(rules(r)).toContain('spl-unsupported');
  });

  it('unknown-lookup: lookup/inputlookup names must be defined in lookups/ (name or file name)', async () => {
    const text = detectionWith(
      '| `demo_process_detection_filter`',
      '| lookup demo_lookup a OUTPUT b | lookup missing_lookup a OUTPUT c | append [| inputlookup demo_lookup.csv] | `demo_process_detection_filter`',
    );
    const r = await run({ [DET]: text });
    expect(r.diagnostics).toMatchObject([{ rule: 'unknown-lookup', ...at(text, 'missing_lookup') }]);
  });

  it('message-token: a $token$ that is not an output field, at the token', async () => {
    const text = detectionWith('ran on $dest$', 'ran on $dest_host$');
    const r = await run({ [DET]: text });
    expect(r.diagnostics).toMatchObject([{ rule: 'message-token', ...at(text, '$dest_host$') }]);
  });

  it('message-token: not checked when the outputs are unknowable', async () => {
    const text = detectionWith('ran on $dest$', 'ran on $dest_host$').replace(
      '| `demo_process_detection_filter`',
      '| join dest [| search index=x] | `demo_process_detection_filter`',
    );
    const r = await run({ [DET]: text });
    expect(rules(r)).not.toContain('message-token');
  });

  it('observable-field: an observable that is not an output field', async () => {
    const text = detectionWith('  - name: dest', '  - name: dvc');
    const r = await run({ [DET]: text });
    expect(r.diagnostics).toMatchObject([{ rule: 'observable-field', ...at(text, 'dvc') }]);
  });

  it('datamodel-field: a where-clause field the data model does not have (typo), at the field', async () => {
    const text = detectionWith('Processes.process_name=demo.exe', 'Processes.proces_name=demo.exe');
    const r = await run({ [DET]: text });
    expect(r.diagnostics).toMatchObject([{ rule: 'datamodel-field', ...at(text, 'Processes.proces_name') }]);
    expect(r.diagnostics[0]!.message).toContain('did you mean Processes.process_name');
  });

  it('datamodel-field: an unknown dataset', async () => {
    const text = detectionWith('datamodel=Endpoint.Processes', 'datamodel=Endpoint.Procesess');
    const r = await run({ [DET]: text });
    expect(rules(r)).toEqual(['datamodel-field']);
  });

  it('datamodel-field: an aggregate without the dataset prefix names the prefixed field (@dac/cim wording)', async () => {
    const text = detectionWith('count min(_time)', 'count values(parent_process_name) min(_time)');
    const r = await run({ [DET]: text });
    expect(r.diagnostics).toMatchObject([{ rule: 'datamodel-field', ...at(text, 'values(parent_process_name)') }]);
    expect(r.diagnostics[0]!.message).toBe(
      'aggregated field parent_process_name is not a field of data model Endpoint.Processes; data-model fields are written with the dataset prefix: Processes.parent_process_name',
    );
  });

  it('datamodel-field, required-fields: a search over an ES data model (Risk, not in CIM 4.20) is not checked', async () => {
    const text = detectionWith('datamodel=Endpoint.Processes', 'datamodel=Risk.All_Risk');
    const r = await run({ [DET]: text });
    expect(rules(r)).toEqual([]);
  });

  it('datamodel-field: an unknown data model, at the model name', async () => {
    const text = detectionWith('datamodel=Endpoint.Processes', 'datamodel=Endpoit.Processes');
    const r = await run({ [DET]: text });
    expect(r.diagnostics).toMatchObject([{ rule: 'datamodel-field', ...at(text, 'Endpoit.Processes') }]);
    expect(r.diagnostics[0]!.message).toContain('unknown data model Endpoit; did you mean Endpoint?');
  });

  it('required-fields: entries must be fields of the data model (prefixed or bare)', async () => {
    const text = detectionWith(
      '  - Processes.process_name\n',
      '  - Processes.process_name\n  - process_name\n  - _time\n  - Processes.proces_guid\n',
    );
    const r = await run({ [DET]: text });
    expect(r.diagnostics).toMatchObject([{ rule: 'required-fields', ...at(text, 'Processes.proces_guid') }]);
  });

  it('the ngrok-like base detection is clean under all SPL rules', async () => {
    const r = await run({ [DET]: DETECTION });
    expect(r.diagnostics).toEqual([]);
  });
});

describe('unknown-macro and unreadable macro files', () => {
  it('a call to a macro whose file does not parse is reported only at that file', async () => {
    const t = writeTree({ 'macros/security_content_ctime.yml': "name: 'security_content_ctime\ndefinition: x\n" });
    cleanups.push(t.cleanup);
    const r = await validate({ root: t.root, workers: 0 });
    expect(r.diagnostics.map((d) => [d.rule, d.file])).toEqual([['yaml-syntax', 'macros/security_content_ctime.yml']]);
  });
});
