/**
 * End to end from SPL text: @dac/spl parses (macros expanded, precedence in the AST), the
 * matcher compiler generates, type-checks and loads. Facts: splunk-semantics.md §1.
 */
import { describe, expect, it } from 'vitest';
import { loadDataModels } from '@dac/cim';
import { builtinMacros, findTstats, macroTableFrom, parseSearch } from '@dac/spl';
import { compileMatchers } from './compile.js';
import type { CimEvent } from './types.js';

const models = loadDataModels();
const macros = new Map([
  ...builtinMacros(),
  ...macroTableFrom([
    {
      name: 'security_content_summariesonly',
      args: [],
      definition:
        'summariesonly=`summariesonly_config` allow_old_summaries=`oldsummaries_config` fillnull_value=`fillnull_config`',
    },
    { name: 'summariesonly_config', args: [], definition: 'false' },
    { name: 'oldsummaries_config', args: [], definition: 'true' },
    { name: 'fillnull_config', args: [], definition: 'null' },
    {
      name: 'process_cmd',
      args: [],
      definition: '(Processes.process_name=cmd.exe OR Processes.original_file_name=Cmd.Exe)',
    },
  ]),
]);

async function matcherFor(where: string): Promise<(e: CimEvent) => boolean> {
  const search = `| tstats \`security_content_summariesonly\` count from datamodel=Endpoint.Processes where ${where} by Processes.dest | \`drop_dm_object_name(Processes)\``;
  const parsed = parseSearch(search, macros, { filterMacro: 'x_filter' });
  expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const tstats = findTstats(parsed.pipeline)!;
  const { matchers, diagnostics } = await compileMatchers([{ id: where, tstats }], models);
  expect(diagnostics.get(where)).toEqual([]);
  return matchers.get(where)!.match;
}

describe('SPL text → typed matcher', () => {
  it('§1.5 tstats WHERE: OR binds tighter than (implicit) AND: `a b OR c` is `a AND (b OR c)`', async () => {
    const m = await matcherFor(
      'Processes.parent_process_name=w3wp.exe Processes.process_name=cmd.exe OR Processes.process_name=powershell.exe',
    );
    expect(m({ parent_process_name: 'w3wp.exe', process_name: 'powershell.exe' })).toBe(true);
    expect(m({ parent_process_name: 'other.exe', process_name: 'cmd.exe' })).toBe(false);
    const explicit = await matcherFor(
      'Processes.parent_process_name=w3wp.exe AND `process_cmd` OR Processes.process_name=powershell.exe',
    );
    expect(explicit({ parent_process_name: 'w3wp.exe', original_file_name: 'CMD.EXE' })).toBe(true);
    expect(explicit({ parent_process_name: 'x', process_name: 'powershell.exe' })).toBe(false);
  });

  it('§1.2/§1.6 quoted wildcards and SPL escapes reach the matcher as values', async () => {
    const m = await matcherFor('Processes.process_path="*\\\\Windows\\\\Temp\\\\*" Processes.process="*\\"quoted\\"*"');
    expect(m({ process_path: 'C:\\WINDOWS\\temp\\a.exe', process: 'x "quoted" y' })).toBe(true);
    expect(m({ process_path: 'C:\\Windows\\Temp2\\a.exe', process: 'x "quoted" y' })).toBe(false);
  });

  it('§1.3/§1.4 NOT … IN and != with a missing field', async () => {
    const m = await matcherFor('NOT Processes.process_name IN ("*.exe", "cmd*") Processes.action!=blocked');
    expect(m({ process_name: 'x.dll', action: 'allowed' })).toBe(true);
    expect(m({ process_name: 'X.EXE', action: 'allowed' })).toBe(false);
    expect(m({ process_name: 'x.dll' })).toBe(false);
    const n = await matcherFor('NOT Processes.action=blocked');
    expect(n({})).toBe(true);
  });

  it('§1.7 ordering comparisons are numeric when both sides are numbers', async () => {
    const m = await matcherFor('Processes.process_id>100');
    expect(m({ process_id: 1000 })).toBe(true);
    expect(m({ process_id: '99' })).toBe(false);
  });
});
