import { describe, expect, it } from 'vitest';
import type { EvalExpr, GenericCommand, SearchExpr, TstatsCommand } from './ast.js';
import { findTstats, outputFields } from './analysis.js';
import { parsePipeline } from './parser.js';

function parseOk(text: string) {
  const r = parsePipeline(text);
  expect(r.diagnostics).toEqual([]);
  return r.pipeline;
}

/** Compact rendering of a search expression for assertions. */
function show(e: SearchExpr | undefined): string {
  if (!e) return '∅';
  switch (e.kind) {
    case 'and':
      return `(${e.args.map(show).join(' & ')})`;
    case 'or':
      return `(${e.args.map(show).join(' | ')})`;
    case 'not':
      return `!${show(e.arg)}`;
    case 'compare':
      return `${e.field}${e.op}${e.value.quoted ? JSON.stringify(e.value.value) : e.value.value}`;
    case 'in':
      return `${e.field} IN [${e.values.map((v) => v.value).join(',')}]`;
    case 'term':
      return e.value.value;
    case 'subsearch':
      return `[${e.pipeline.commands.length}]`;
  }
}

function showEval(e: EvalExpr | undefined): string {
  if (!e) return '∅';
  switch (e.kind) {
    case 'string':
      return JSON.stringify(e.value);
    case 'number':
      return e.raw;
    case 'field':
      return e.quoted ? `'${e.name}'` : e.name;
    case 'call':
      return `${e.fn}(${e.args.map(showEval).join(', ')})`;
    case 'unary':
      return `${e.op}(${showEval(e.arg)})`;
    case 'binary':
      return `(${showEval(e.left)} ${e.op} ${showEval(e.right)})`;
    case 'in':
      return `(${showEval(e.arg)} IN ${e.values.map(showEval).join(',')})`;
    case 'subsearch':
      return '[…]';
  }
}

function searchOf(text: string): SearchExpr | undefined {
  const c = parseOk(text).commands[0];
  if (c.kind !== 'search') throw new Error(`not a search: ${c.kind}`);
  return c.expr;
}

function tstatsOf(text: string): TstatsCommand {
  const t = findTstats(parseOk(text));
  if (!t) throw new Error('no tstats');
  return t;
}

describe('search language: precedence and structure (splunk-semantics.md §1.5)', () => {
  it('implicit AND between terms, OR tighter than AND', () => {
    expect(show(searchOf('a b OR c'))).toBe('(a & (b | c))');
    expect(show(searchOf('a OR b c'))).toBe('((a | b) & c)');
    expect(show(searchOf('A=1 AND B=2 OR C=3'))).toBe('(A=1 & (B=2 | C=3))');
  });

  it('NOT binds tighter than OR and AND', () => {
    expect(show(searchOf('NOT a OR b'))).toBe('(!a | b)');
    expect(show(searchOf('NOT NOT a'))).toBe('!!a');
    expect(show(searchOf('NOT (a OR b) c'))).toBe('(!(a | b) & c)');
  });

  it('parentheses group', () => {
    expect(show(searchOf('(a b) OR c'))).toBe('((a & b) | c)');
  });

  it('`search` keyword and leading pipe forms are the same search command', () => {
    expect(show(searchOf('search x=1 y=2'))).toBe('(x=1 & y=2)');
    const p = parseOk('| search x=1');
    expect(p.commands[0].kind).toBe('search');
  });

  it('comparison operators, spaces around `=`, quoted field names', () => {
    expect(show(searchOf('a!=1 b<2 c<=3 d>4 e>=5 f==6'))).toBe('(a!=1 & b<2 & c<=3 & d>4 & e>=5 & f=6)');
    expect(show(searchOf('sourcetype = "OktaIM2:log"'))).toBe('sourcetype="OktaIM2:log"');
    expect(show(searchOf('"columns.cmdline"="*curl*"'))).toBe('columns.cmdline="*curl*"');
  });

  it('quoted strings with Splunk escapes (§1.6)', () => {
    const e = searchOf('p="C:\\\\Windows\\\\*" q="say \\"hi\\"" r="a\\sb"');
    expect(show(e)).toBe('(p="C:\\\\Windows\\\\*" & q="say \\"hi\\"" & r="a\\\\sb")');
  });

  it('unquoted values end at whitespace or `)`, and keep `. - : \\ / *`', () => {
    expect(show(searchOf('(p=ngrok.exe)'))).toBe('p=ngrok.exe');
    expect(show(searchOf('p=C:\\\\x\\\\*.exe q=a:b/c-d'))).toBe('(p=C:\\x\\*.exe & q=a:b/c-d)');
  });

  it('IN lists: quoted, unquoted, irregular spacing, NOT IN', () => {
    expect(show(searchOf('p IN ("*start*", "*--config*","*http*" , tcp)'))).toBe(
      'p IN [*start*,*--config*,*http*,tcp]',
    );
    expect(show(searchOf('NOT p IN (a)'))).toBe('!p IN [a]');
  });

  it('subsearches inside a search expression', () => {
    const e = searchOf('x=1 [| inputlookup foo | fields a]');
    expect(show(e)).toBe('(x=1 & [2])');
  });

  it('TERM() and CASE() directives', () => {
    const e = searchOf('TERM(10.0.0.1) host=CASE(ABC)');
    expect(e?.kind).toBe('and');
    if (e?.kind === 'and') {
      const [t, c] = e.args;
      expect(t.kind === 'term' && t.value.term && t.value.value).toBe('10.0.0.1');
      expect(c.kind === 'compare' && c.value.caseSensitive && c.value.value).toBe('ABC');
    }
  });

  it('spans point at the written text', () => {
    const text = 'x=1 Processes.process IN ("a", b)';
    const e = searchOf(text);
    if (e?.kind !== 'and') throw new Error();
    const inNode = e.args[1];
    if (inNode.kind !== 'in') throw new Error();
    expect(text.slice(inNode.fieldSpan.start, inNode.fieldSpan.end)).toBe('Processes.process');
    expect(text.slice(inNode.values[0].span.start, inNode.values[0].span.end)).toBe('"a"');
    expect(text.slice(inNode.span.start, inNode.span.end)).toBe('Processes.process IN ("a", b)');
  });
});

describe('tstats', () => {
  const ngrok =
    '| tstats summariesonly=false allow_old_summaries=true fillnull_value=null count min(_time) as firstTime max(_time) as lastTime from datamodel=Endpoint.Processes where Processes.process_name=ngrok.exe Processes.process IN ("*start*", "*--config*","*http*","*authtoken*", "*http*", "*tcp*") by Processes.dest Processes.user Processes.parent_process_name Processes.process_name Processes.original_file_name Processes.process Processes.process_id Processes.parent_process_id | rename "Processes.*" as * | convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(firstTime) | search *';

  it('parses options, aggregates with as, datamodel, where and by (the ngrok detection)', () => {
    const t = tstatsOf(ngrok);
    expect(Object.fromEntries(Object.entries(t.options).map(([k, v]) => [k, v.value]))).toEqual({
      summariesonly: 'false',
      allow_old_summaries: 'true',
      fillnull_value: 'null',
    });
    expect(t.aggregates.map((a) => [a.fn, a.field, a.as])).toEqual([
      ['count', undefined, undefined],
      ['min', '_time', 'firstTime'],
      ['max', '_time', 'lastTime'],
    ]);
    expect(t.datamodel).toMatchObject({ model: 'Endpoint', dataset: ['Processes'] });
    expect(show(t.where)).toBe(
      '(Processes.process_name=ngrok.exe & Processes.process IN [*start*,*--config*,*http*,*authtoken*,*http*,*tcp*])',
    );
    expect(t.by.map((b) => b.field)).toHaveLength(8);
    expect(ngrok.slice(t.datamodel!.span.start, t.datamodel!.span.end)).toBe('Endpoint.Processes');
  });

  it('nested datasets, span=, prestats, comma-separated by-fields, AS in capitals, quoted alias', () => {
    const t = tstatsOf(
      '| tstats prestats=t count(Processes.dest) AS "Count" values(x) from datamodel=Endpoint.Processes.Process_Name by _time,Processes.dest span=1h',
    );
    expect(t.datamodel?.dataset).toEqual(['Processes', 'Process_Name']);
    expect(t.options.prestats.value).toBe('t');
    expect(t.aggregates[0]).toMatchObject({ fn: 'count', field: 'Processes.dest', as: 'Count' });
    expect(t.by.map((b) => b.field)).toEqual(['_time', 'Processes.dest']);
    expect(t.span?.value).toBe('1h');
  });

  it('tstats WHERE uses search precedence: `a AND b OR c` is `a AND (b OR c)`', () => {
    const t = tstatsOf(
      '| tstats count from datamodel=Endpoint.Processes where parent=w3wp.exe AND (p=cmd.exe OR o=Cmd.Exe) OR (p=powershell.exe) by p',
    );
    expect(show(t.where)).toBe('(parent=w3wp.exe & ((p=cmd.exe | o=Cmd.Exe) | p=powershell.exe))');
  });

  it('GROUPBY is a synonym of BY; an unexpanded macro after FROM is kept without a second diagnostic', () => {
    const r = parsePipeline('| tstats local=t count as n from `SA_Events` groupby _time span=1d');
    expect(r.diagnostics).toEqual([]);
    const t = findTstats(r.pipeline)!;
    expect(t.by.map((b) => b.field)).toEqual(['_time']);
    expect(t.from?.value).toBe('`SA_Events`');
    expect(t.span?.value).toBe('1d');
  });

  it('a tstats without where or by, and `from datamodel:` form', () => {
    const t = tstatsOf('| tstats count from datamodel:Web.Web');
    expect(t.datamodel).toMatchObject({ model: 'Web', dataset: ['Web'] });
    expect(t.where).toBeUndefined();
  });

  it('reports a tstats without aggregates and a bad data model at their positions', () => {
    const r = parsePipeline('| tstats from datamodel=Endpoint..X where a=1');
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      expect.stringContaining('at least one aggregate'),
      expect.stringContaining('invalid data model'),
    ]);
  });

  it('findTstats is undefined for a base search', () => {
    expect(findTstats(parseOk('index=x | stats count'))).toBeUndefined();
  });
});

describe('eval and where expressions (eval precedence NOT > AND > OR, §1.5)', () => {
  const whereOf = (text: string) => (parseOk(`| where ${text}`).commands[0] as GenericCommand).expr;

  it('where: AND binds tighter than OR (conventional)', () => {
    expect(showEval(whereOf('a=1 AND b=2 OR c=3'))).toBe('(((a = 1) AND (b = 2)) OR (c = 3))');
  });

  it('where: functions, like, IN, NOT, concatenation, arithmetic', () => {
    expect(showEval(whereOf('NOT x IN ("a","b") AND like(p, "%x%")'))).toBe('(NOT((x IN "a","b")) AND like(p, "%x%"))');
    expect(showEval(whereOf('len(process) > 200 + 2 * 3'))).toBe('(len(process) > (200 + (2 * 3)))');
    expect(showEval(whereOf('p LIKE "%a" OR p NOT LIKE "b%"'))).toBe('((p LIKE "%a") OR NOT((p LIKE "b%")))');
    expect(showEval(whereOf('\'Processes.x\'==vendor." ".product'))).toBe(
      '(\'Processes.x\' == ((vendor . " ") . product))',
    );
  });

  it('eval: several assignments, quoted targets, nested calls', () => {
    const c = parseOk('| eval a=if(isnull(x), "unknown", x), "Search Name"=lower(y), b=case(c=1, "one", 1=1, "other")')
      .commands[0] as GenericCommand;
    expect(c.assignments?.map((a) => [a.field, showEval(a.expr)])).toEqual([
      ['a', 'if(isnull(x), "unknown", x)'],
      ['Search Name', 'lower(y)'],
      ['b', 'case((c = 1), "one", (1 = 1), "other")'],
    ]);
  });

  it('eval: dynamic field names `{x}` and field names with braces', () => {
    const c = parseOk('| eval {name}=value, a{}.b=1').commands[0] as GenericCommand;
    expect(c.assignments?.map((a) => a.field)).toEqual(['{name}', 'a{}.b']);
  });

  it('an unexpanded macro inside an expression is an opaque field (the expander reports it once)', () => {
    const c = parseOk('| eval x=lower(`m`)').commands[0] as GenericCommand;
    expect(c.assignments?.[0].expr).toMatchObject({ kind: 'call', args: [{ kind: 'field', name: '`m`' }] });
  });

  it('eval errors are positioned', () => {
    const text = '| eval a=if(x, 1';
    const r = parsePipeline(text);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ rule: 'spl-syntax', severity: 'error' });
    expect(text.slice(r.diagnostics[0].start, r.diagnostics[0].end)).toBe('(');
  });
});

describe('pipelines, generic commands, subsearches, comments', () => {
  it('splits at top-level pipes only (not in quotes, brackets or comments)', () => {
    const p = parseOk('index=a "x|y" | join type=outer k [search b | head 1] | ``` a | comment ``` stats count by k');
    expect(p.commands.map((c) => (c.kind === 'command' ? c.name : c.kind))).toEqual(['search', 'join', 'stats']);
    const join = p.commands[1] as GenericCommand;
    const sub = join.args.find((a) => a.kind === 'subsearch');
    expect(sub?.kind === 'subsearch' && sub.pipeline.commands.length).toBe(2);
  });

  it('generic args: options, words with balanced parentheses, quoted words', () => {
    const c = parseOk(
      '| rex field=process max_match = 10 "(?<x>a b)" | stats values(eval(if(a, b, c))) as v by k',
    ).commands;
    const rex = c[0] as GenericCommand;
    expect(
      rex.args.map(
        (a) =>
          `${a.kind}:${a.kind === 'option' ? `${a.key}=${a.value.value}` : a.kind === 'word' ? a.value.value : ''}`,
      ),
    ).toEqual(['option:field=process', 'option:max_match=10', 'word:(?<x>a b)']);
    const stats = c[1] as GenericCommand;
    expect(stats.args.map((a) => (a.kind === 'word' ? a.value.value : a.kind))).toEqual([
      'values(eval(if(a, b, c)))',
      'as',
      'v',
      'by',
      'k',
    ]);
  });

  it('foreach/appendpipe brackets hold commands, not a search', () => {
    const p = parseOk(
      '| foreach a* [eval r=if(type="EXECVE", mvappend(r, \'<<FIELD>>\'), r)] | appendpipe [stats count | where count=0]',
    );
    const fe = p.commands[0] as GenericCommand;
    const sub = fe.args.find((a) => a.kind === 'subsearch');
    expect(
      sub?.kind === 'subsearch' &&
        sub.pipeline.commands[0].kind === 'command' &&
        (sub.pipeline.commands[0] as GenericCommand).name,
    ).toBe('eval');
  });

  it('syntax errors are positioned: unclosed quote, bracket, paren; empty command; unmatched paren', () => {
    const cases: [string, string, string][] = [
      ['a="x', '"x', 'unterminated quoted string'],
      ['a [search b', '[', 'unclosed "["'],
      ['(a OR b', '(', 'unclosed "("'],
      ['a | | b', '| |', 'empty command'],
      ['a) b', ')', 'unmatched ")"'],
      ['a=', '=', 'missing value'],
      ['a OR', 'OR', 'OR without a right operand'],
      ['NOT', 'NOT', 'NOT without an operand'],
      ['x IN (a', '(', 'unclosed IN list'],
    ];
    for (const [text, at, msg] of cases) {
      const r = parsePipeline(text);
      const d = r.diagnostics.find((x) => x.message.includes(msg));
      expect(d, `${text}: ${JSON.stringify(r.diagnostics)}`).toBeDefined();
      expect(text.slice(d!.start, d!.end)).toBe(at);
    }
  });

  it('warns (does not fail) on a lowercase operator and on a generating command without a leading pipe', () => {
    const a = parsePipeline('a=1 or b=2');
    expect(a.diagnostics).toMatchObject([{ severity: 'warning', rule: 'spl-syntax', start: 4, end: 6 }]);
    expect(a.diagnostics[0].message).toContain('must be uppercase');
    const b = parsePipeline('tstats count from datamodel=Endpoint.Processes');
    expect(b.diagnostics).toMatchObject([{ severity: 'warning', start: 0, end: 6 }]);
    expect(b.pipeline.commands[0].kind).toBe('search');
  });

  it('empty search is an error, not a crash', () => {
    expect(parsePipeline('   ').diagnostics[0].message).toBe('empty search');
  });
});

describe('outputFields', () => {
  it('tstats by-fields and aggregate names, then drop_dm_object_name rename', () => {
    const p = parseOk(
      '| tstats count min(_time) as firstTime values(Processes.process) from datamodel=Endpoint.Processes by Processes.dest Processes.user | rename "Processes.*" as *',
    );
    const o = outputFields(p);
    expect([...o.fields].sort()).toEqual(['count', 'dest', 'firstTime', 'user', 'values(Processes.process)'].sort());
    expect(o.complete).toBe(true);
  });

  it('stats resets, eval/lookup OUTPUT/rex/iplocation add, table replaces, fields - removes', () => {
    const p = parseOk(
      'index=x | stats count by a b | eval c=1 | lookup t k as a OUTPUT v as w, z | rex field=a "(?<r1>x)" | iplocation a | fields - z | rename w as W',
    );
    const o = outputFields(p);
    expect([...o.fields].sort()).toEqual(
      ['City', 'Country', 'Region', 'W', 'a', 'b', 'c', 'count', 'lat', 'lon', 'r1'].sort(),
    );
    expect(o.complete).toBe(true);
    expect(outputFields(parseOk('index=x | table a, b c')).fields).toEqual(new Set(['a', 'b', 'c']));
    expect(outputFields(parseOk('| tstats count by a | fillnull value=0 b')).fields).toEqual(
      new Set(['a', 'count', 'b']),
    );
  });

  it('appendpipe adds the fields of its commands run over the current results; join adds the subsearch fields', () => {
    const o = outputFields(
      parseOk('| tstats count by a | appendpipe [stats count as total | eval z=1] | join a [| tstats count as n by a]'),
    );
    expect([...o.fields].sort()).toEqual(['a', 'count', 'n', 'total', 'z']);
    expect(o.complete).toBe(true);
  });

  it('is incomplete for raw events and unknown commands', () => {
    expect(outputFields(parseOk('index=x | eval a=1')).complete).toBe(false);
    expect(outputFields(parseOk('| tstats count by a | xmlkv')).complete).toBe(false);
  });
});
