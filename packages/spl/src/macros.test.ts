import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { macrosFromConf } from './conf.js';
import { renderSplMessage } from './diagnostics.js';
import { builtinMacros, parseSearch } from './index.js';
import { type MacroDefinition, expandMacros, macroKey, macroTableFrom } from './macros.js';

const m = (name: string, definition: string, args: string[] = []): MacroDefinition => ({ name, args, definition });
const table = macroTableFrom([
  m(
    'sysmon',
    'sourcetype=XmlWinEventLog:Microsoft-Windows-Sysmon/Operational OR source=XmlWinEventLog:Microsoft-Windows-Sysmon/Operational',
  ),
  m('process_cmd', '(Processes.process_name=cmd.exe OR Processes.original_file_name=Cmd.Exe)'),
  m('security_content_ctime', 'convert timeformat="%Y-%m-%dT%H:%M:%S" ctime($field$)', ['field']),
  m('security_content_summariesonly', 'summariesonly=`summariesonly_config` allow_old_summaries=`oldsummaries_config`'),
  m('summariesonly_config', 'false'),
  m('oldsummaries_config', 'true'),
  m('two', '$a$-$b$ "$a$"', ['a', 'b']),
  m('loop_a', 'x `loop_b`'),
  m('loop_b', 'y `loop_a`'),
  m('inner_bad', 'z `nowhere`'),
]);

describe('macroKey and tables (splunk-semantics.md §6.2)', () => {
  it('uses Splunk stanza naming: name, or name(N) with N arguments', () => {
    expect(macroKey('sysmon', 0)).toBe('sysmon');
    expect(macroKey('drop_dm_object_name', 1)).toBe('drop_dm_object_name(1)');
  });

  it('a later definition of the same key wins (content overrides builtins)', () => {
    const t = new Map([...builtinMacros(), ...macroTableFrom([m('drop_dm_object_name', 'rename X as Y', ['object'])])]);
    expect(t.get('drop_dm_object_name(1)')?.definition).toBe('rename X as Y');
  });
});

describe('expandMacros', () => {
  it('expands plain, nested and argument macros', () => {
    const e = expandMacros(
      '| tstats `security_content_summariesonly` count | `security_content_ctime(firstTime)`',
      table,
    );
    expect(e.text).toBe(
      '| tstats summariesonly=false allow_old_summaries=true count | convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(firstTime)',
    );
    expect(e.usedMacros).toEqual([
      'security_content_summariesonly',
      'summariesonly_config',
      'oldsummaries_config',
      'security_content_ctime(1)',
    ]);
    expect(e.diagnostics).toEqual([]);
  });

  it('§6.2 substitutes $arg$ everywhere, also inside quotes, and trims arguments', () => {
    expect(expandMacros('`two( p , q )`', table).text).toBe('p-q "p"');
  });

  it('quoted arguments lose their quotes and may contain commas; `\\"` becomes `"`', () => {
    expect(expandMacros('`two("a, b", "say \\"x\\"")`', table).text).toBe('a, b-say "x" "a, b"');
    // CIM's own usage: `drop_dm_object_name("Modular_Actions")` → rename "Modular_Actions.*" as *
    expect(expandMacros('`drop_dm_object_name("Modular_Actions")`', builtinMacros()).text).toBe(
      'rename "Modular_Actions.*" as *',
    );
  });

  it("arguments bind by name when every argument is name=value with the macro's names", () => {
    expect(expandMacros('`two(b=q, a=p)`', table).text).toBe('p-q "p"');
    // Not all named, or other names: positional, values kept as written.
    expect(expandMacros('`two(b=q, x)`', table).text).toBe('b=q-x "b=q"');
    expect(expandMacros('`security_content_ctime(x=1)`', table).text).toBe(
      'convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(x=1)',
    );
  });

  it('macros inside quoted strings are not expanded', () => {
    expect(expandMacros('x="`sysmon`" `process_cmd`', table).text).toBe(
      'x="`sysmon`" (Processes.process_name=cmd.exe OR Processes.original_file_name=Cmd.Exe)',
    );
  });

  it('removes ``` comments and the comment("…") macro', () => {
    const e = expandMacros('a ``` | junk `sysmon` ``` b `comment("anything, here")` c', table);
    expect(e.text).toBe('a   b  c');
    expect(e.diagnostics).toEqual([]);
  });

  it('the detection filter macro is implied as `search *` when the table lacks it (contentctl default)', () => {
    const e = expandMacros('x | `my_rule_filter`', table, { filterMacro: 'my_rule_filter' });
    expect(e.text).toBe('x | search *');
    expect(e.usedMacros).toEqual(['my_rule_filter']);
    expect(
      expandMacros('x | `my_rule_filter`', macroTableFrom([m('my_rule_filter', 'search user!=svc')]), {
        filterMacro: 'my_rule_filter',
      }).text,
    ).toBe('x | search user!=svc');
  });

  it('an undefined macro is an error at the call in the original string, and stays in the text', () => {
    const search = '`sysmon` EventCode=1 | `nope(a)` | stats count';
    const e = expandMacros(search, table);
    expect(e.diagnostics).toHaveLength(1);
    const d = e.diagnostics[0];
    expect(d).toMatchObject({ rule: 'spl-undefined-macro', severity: 'error', message: 'undefined macro `nope(1)`' });
    expect(search.slice(d.start, d.end)).toBe('`nope(a)`');
    expect(e.text).toContain('`nope(a)`');
  });

  it('an undefined macro close to a defined one suggests it', () => {
    const d = expandMacros('| tstats `security_content_sumariesonly` count', table).diagnostics[0];
    expect(d.message).toBe(
      'undefined macro `security_content_sumariesonly` (did you mean `security_content_summariesonly`?)',
    );
    expect(expandMacros('`zzzz`', table).diagnostics[0].message).toBe('undefined macro `zzzz`');
  });

  it('a wrong number of arguments is spl-macro-args', () => {
    const search = '`security_content_ctime`';
    const d = expandMacros(search, table).diagnostics[0];
    expect(d.rule).toBe('spl-macro-args');
    expect(d.message).toContain('takes 1 argument (field), but is called with 0');
  });

  it('detects cycles and points at the outermost call', () => {
    const search = 'a `loop_a` b';
    const e = expandMacros(search, table);
    expect(e.diagnostics).toHaveLength(1);
    expect(e.diagnostics[0].rule).toBe('spl-macro-cycle');
    expect(e.diagnostics[0].message).toContain('`loop_a` → `loop_b` → `loop_a`');
    expect(search.slice(e.diagnostics[0].start, e.diagnostics[0].end)).toBe('`loop_a`');
  });

  it('an undefined macro inside a definition is reported at the outer call, naming the macro it came from', () => {
    const search = 'q `inner_bad`';
    const d = expandMacros(search, table).diagnostics[0];
    expect(d.rule).toBe('spl-undefined-macro');
    expect(d.message).toContain('in the expansion of `inner_bad`');
    expect(search.slice(d.start, d.end)).toBe('`inner_bad`');
  });

  it('diagnostics carry what they are about as data; the message is rendered from it', () => {
    const d = expandMacros('| tstats `security_content_sumariesonly` count', table).diagnostics[0];
    expect(d).toMatchObject({
      code: 'undefined-macro',
      macro: 'security_content_sumariesonly',
      key: 'security_content_sumariesonly',
      suggestion: 'security_content_summariesonly',
    });
    expect(d.message).toBe(renderSplMessage(d));
    const nested = expandMacros('q `inner_bad`', table).diagnostics[0];
    expect(nested).toMatchObject({ code: 'undefined-macro', macro: 'nowhere', expandedFrom: [{ key: 'inner_bad' }] });
    expect(nested.message).toBe(renderSplMessage(nested, nested.expandedFrom));
    const args = expandMacros('`security_content_ctime`', table).diagnostics[0];
    expect(args).toMatchObject({
      code: 'macro-arguments',
      macro: 'security_content_ctime',
      parameters: ['field'],
      given: 0,
    });
  });

  it('bounds work: exponential definitions stop at maxLength with a diagnostic', () => {
    const defs = [m('m0', 'xxxxxxxxxx')];
    for (let i = 1; i <= 40; i++) defs.push(m(`m${i}`, `\`m${i - 1}\` \`m${i - 1}\``));
    const e = expandMacros('`m40`', macroTableFrom(defs), { maxLength: 100_000 });
    expect(e.diagnostics.some((d) => d.rule === 'spl-unsupported' && d.message.includes('exceeds'))).toBe(true);
  });

  it('bounds depth', () => {
    const defs = [m('d0', 'end')];
    for (let i = 1; i <= 100; i++) defs.push(m(`d${i}`, `\`d${i - 1}\``));
    const e = expandMacros('`d100`', macroTableFrom(defs), { maxDepth: 10 });
    expect(e.diagnostics[0]).toMatchObject({ rule: 'spl-unsupported' });
  });

  it('malformed calls are syntax errors, positioned', () => {
    for (const [search, at] of [
      ['a `unclosed', '`unclosed'],
      ['a `` b', '``'],
      ['a `x(1` b', '`x(1`'],
      ['a ``` b', '``` b'],
    ]) {
      const d = expandMacros(search, table).diagnostics[0];
      expect(d?.rule, search).toBe('spl-syntax');
      expect(search.slice(d.start, d.end)).toBe(at);
    }
  });

  it('toOriginal maps copied text one to one and produced text to its call', () => {
    const search = 'x=1 `process_cmd` y=2';
    const e = expandMacros(search, table);
    const y = e.text.indexOf('y=2');
    expect(e.toOriginal(y)).toBe(search.indexOf('y=2'));
    expect(e.toOriginal(e.text.indexOf('Cmd.Exe'))).toBe(search.indexOf('`process_cmd`'));
    expect(e.toOriginalEnd(e.text.indexOf('Cmd.Exe'))).toBe(search.indexOf('`process_cmd`') + '`process_cmd`'.length);
    expect(e.toOriginal(0)).toBe(0);
    expect(e.toOriginal(e.text.length)).toBe(search.length);
  });
});

describe('parseSearch maps parse diagnostics to the original string', () => {
  it('an error in copied text points at the written characters', () => {
    const search = '`sysmon` EventCode=1 | where x=="a';
    const p = parseSearch(search, table);
    expect(p.diagnostics).toHaveLength(1);
    expect(search.slice(p.diagnostics[0].start, p.diagnostics[0].end)).toBe('"a');
  });

  it('an error inside a macro expansion underlines the macro call', () => {
    const t = macroTableFrom([m('broken', 'x IN (a')]);
    const search = 'a=1 `broken` b=2';
    const p = parseSearch(search, t);
    expect(p.diagnostics.map((d) => search.slice(d.start, d.end))).toEqual(['`broken`']);
  });

  it('AST spans map back with toOriginal', () => {
    const search = '`sysmon` EventCode=1';
    const p = parseSearch(search, table);
    const c = p.pipeline.commands[0];
    if (c.kind !== 'search' || c.expr?.kind !== 'and') throw new Error();
    const cmp = c.expr.args[c.expr.args.length - 1];
    expect(search.slice(p.toOriginal(cmp.span.start), p.toOriginal(cmp.span.end))).toBe('EventCode=1');
    const first = c.expr.args[0];
    const o = p.toOriginalSpan(first.span);
    expect(search.slice(o.start, o.end)).toBe('`sysmon`');
  });
});

describe('.conf reading and the CIM builtins', () => {
  it('§6.1 joins backslash continuations keeping the newline; comments only at line start', () => {
    const conf = '# c\n[a(2)]\nargs = x, y\ndefinition = one \\\ntwo # not a comment\n\n[b]\ndefinition=z\n';
    expect(macrosFromConf(conf)).toEqual([
      { name: 'a', args: ['x', 'y'], definition: 'one \ntwo # not a comment', source: undefined },
      { name: 'b', args: [], definition: 'z', source: undefined },
    ]);
    // Whitespace after the backslash breaks the continuation: `next` is a macro of its own.
    expect(
      macrosFromConf('[s]\ndefinition = v \\ \n[next]\ndefinition = 1').map((m) => [m.name, m.definition]),
    ).toEqual([
      ['s', 'v \\ '],
      ['next', '1'],
    ]);
  });

  it('builtinMacros has the CIM 4.20 drop_dm_object_name(1)', () => {
    expect(builtinMacros().get('drop_dm_object_name(1)')).toMatchObject({
      args: ['object'],
      definition: 'rename "$object$.*" as *',
    });
  });

  it('builtinMacros reads every stanza with a definition of the CIM copy schemas/cim/macros.conf', () => {
    const repoCopy = readFileSync(new URL('../../../schemas/cim/macros.conf', import.meta.url), 'utf8');
    const stanzas = [...repoCopy.matchAll(/^\[(.+)\]$/gm)].map((m) => m[1]);
    expect([...builtinMacros().keys()].sort()).toEqual([...new Set(stanzas)].sort());
  });
});
