import { describe, expect, it } from 'vitest';
import type { SearchExpr } from './ast.js';
import { parsePipeline } from './parser.js';
import { compareCodePoints, compareValues, evaluateSearch, matchesValue, wildcardMatch } from './semantics.js';

/** Parses `search <text>` and returns its expression. */
function expr(text: string): SearchExpr {
  const { pipeline, diagnostics } = parsePipeline(text);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const c = pipeline.commands[0];
  if (c.kind !== 'search' || !c.expr) throw new Error('no search expression');
  return c.expr;
}

const run = (search: string, event: Record<string, string | number | string[] | null | undefined>) =>
  evaluateSearch(expr(search), event);

describe('search-language semantics (splunk-semantics.md §1)', () => {
  it('§1.5 precedence: `a b OR c` is `a AND (b OR c)` (OR binds tighter than AND)', () => {
    expect(run('a=1 b=1 OR c=1', { a: '1', c: '1' })).toBe(true);
    expect(run('a=1 b=1 OR c=1', { b: '1', c: '1' })).toBe(false); // would be true under AND-before-OR
  });

  it('§1.5 precedence: explicit `A=1 AND B=2 OR C=3` means `A=1 AND (B=2 OR C=3)`', () => {
    expect(run('A=1 AND B=2 OR C=3', { C: '3' })).toBe(false);
    expect(run('A=1 AND B=2 OR C=3', { A: '1', C: '3' })).toBe(true);
  });

  it('§1.5 precedence: NOT applies only to the next term or group', () => {
    expect(run('NOT a=1 OR b=1', { a: '1', b: '1' })).toBe(true); // (NOT a=1) OR b=1
    expect(run('NOT (a=1 OR b=1)', { a: '1' })).toBe(false);
  });

  it('§1.5 an unparenthesised OR-list macro followed by terms (`sysmon` EventCode=1) keeps the OR grouped', () => {
    const search = 'sourcetype=a OR source=b EventCode=1';
    expect(run(search, { source: 'b', EventCode: '1' })).toBe(true);
    expect(run(search, { sourcetype: 'a', EventCode: '4' })).toBe(false);
  });

  it('§1.5 lowercase `or` is an ordinary term, not an operator', () => {
    const e = expr('a=1 or b=1');
    expect(e.kind).toBe('and');
    if (e.kind === 'and') expect(e.args.map((x) => x.kind)).toEqual(['compare', 'term', 'compare']);
  });

  it('§1.1 field values compare case-insensitively', () => {
    expect(run('process_name=NGROK.exe', { process_name: 'ngrok.EXE' })).toBe(true);
  });

  it('§1.1 field names are case-sensitive', () => {
    expect(run('process_name=ngrok.exe', { Process_Name: 'ngrok.exe' })).toBe(false);
  });

  it('§1.1 CASE(value) matches case-sensitively', () => {
    expect(run('host=CASE(LOCALHOST)', { host: 'localhost' })).toBe(false);
    expect(run('host=CASE(LOCALHOST)', { host: 'LOCALHOST' })).toBe(true);
  });

  it('§1.2 `*` is a wildcard anywhere in the value: leading, trailing, middle', () => {
    expect(run('p=*ngrok.exe', { p: 'C:\\x\\ngrok.exe' })).toBe(true);
    expect(run('p=ngrok*', { p: 'ngrok.exe' })).toBe(true);
    expect(run('p=a*c', { p: 'abbbc' })).toBe(true);
    expect(run('p=a*c', { p: 'abbbd' })).toBe(false);
  });

  it('§1.2 `*` inside quotes is still a wildcard', () => {
    expect(run('src="10.9.165.*"', { src: '10.9.165.8' })).toBe(true);
  });

  it('§1.2 matching is against the whole value (no substring match without `*`)', () => {
    expect(run('p=abc', { p: 'xabcx' })).toBe(false);
  });

  it('§1.2 `*` cannot be escaped: `\\*` is a backslash followed by a wildcard', () => {
    expect(matchesValue('a\\bc', 'a\\*')).toBe(true);
    expect(matchesValue('a*', 'a\\*')).toBe(false);
  });

  it('§1.6 escaped backslashes in quoted values: "*\\\\Windows\\\\Temp\\\\*" matches C:\\Windows\\Temp\\x', () => {
    expect(run('p="*\\\\Windows\\\\Temp\\\\*"', { p: 'C:\\windows\\temp\\x.exe' })).toBe(true);
  });

  it('§1.3 `f IN (…)` is an OR of equalities with wildcards', () => {
    const s = 'p IN ("*start*", "*--config*", tcp)';
    expect(run(s, { p: 'ngrok start x' })).toBe(true);
    expect(run(s, { p: 'TCP' })).toBe(true);
    expect(run(s, { p: 'ngrok version' })).toBe(false);
  });

  it('§1.3 `NOT f IN (…)` excludes every listed value and keeps events without the field', () => {
    expect(run('NOT p IN (a, b)', { p: 'a' })).toBe(false);
    expect(run('NOT p IN (a, b)', {})).toBe(true);
  });

  it('§1.4 `f!=v` is false when f is missing', () => {
    expect(run('action!=blocked', {})).toBe(false);
    expect(compareValues(undefined, '!=', 'blocked')).toBe(false);
    expect(compareValues(null, '!=', 'blocked')).toBe(false);
  });

  it('§1.4 `NOT f=v` is true when f is missing', () => {
    expect(run('NOT action=blocked', {})).toBe(true);
  });

  it('§1.4 `f!=v` and `NOT f=v` agree when the field is present', () => {
    for (const v of ['blocked', 'allowed'])
      expect(run('action!=blocked', { action: v })).toBe(run('NOT action=blocked', { action: v }));
  });

  it('§1.7 ordering operators compare numerically when both sides are numbers', () => {
    expect(run('bytes>100', { bytes: '9' })).toBe(false); // lexicographically "9" > "100"
    expect(run('bytes>100', { bytes: 1000 })).toBe(true);
    expect(run('bytes<=1.5e3', { bytes: '1500' })).toBe(true);
  });

  it('§1.7 ordering operators compare lexicographically in UTF-8 byte order otherwise', () => {
    expect(compareValues('B', '<', 'a')).toBe(true); // uppercase before lowercase
    expect(compareValues('10', '<', '9x')).toBe(true); // not both numeric: "1" < "9"
    expect(compareCodePoints('\u{1F600}', '\uFFFF')).toBeGreaterThan(0); // astral after BMP
  });

  it('§1.7 `=` compares strings: `1` does not match `1.0`', () => {
    expect(run('x=1', { x: '1.0' })).toBe(false);
    expect(run('x=1', { x: 1 })).toBe(true);
  });

  it('§1.8 a multivalue field matches when any value matches', () => {
    expect(run('h=*sha256*', { h: ['MD5=1', 'SHA256=2'] })).toBe(true);
    expect(run('h IN (x, MD5=1)', { h: ['MD5=1', 'SHA256=2'] })).toBe(true);
    expect(run('h=none', { h: ['a', 'b'] })).toBe(false);
  });

  it('§1.8 `NOT f=v` excludes a multivalue event when any value matches', () => {
    expect(run('NOT h=a', { h: ['a', 'b'] })).toBe(false);
  });

  it('§1.8 `f!=v` on a multivalue field is true when some value differs', () => {
    expect(run('h!=a', { h: ['a', 'b'] })).toBe(true);
    expect(run('h!=a', { h: ['a'] })).toBe(false);
  });

  it('a bare `*` term matches every event; other terms search _raw case-insensitively at breaker boundaries', () => {
    expect(run('*', {})).toBe(true);
    expect(run('ngrok', { _raw: 'x NGROK y' })).toBe(true);
    expect(run('ngrok', { _raw: 'C:\\ngrok.exe start' })).toBe(true);
    expect(run('ngrok', { _raw: 'myngrokfile' })).toBe(false);
    expect(run('ngrok*', { _raw: 'ngrokfile' })).toBe(true);
    expect(run('"print spooler failed"', { _raw: 'The print spooler failed to load' })).toBe(true);
    expect(run('ngrok', { _raw: 'nothing' })).toBe(false);
    expect(run('""', { _raw: 'anything' })).toBe(false); // an empty term terminates and matches nothing
  });

  it('time modifiers (`earliest=-24h`, `starthoursago=168`) set the time range and do not filter events', () => {
    expect(run('earliest=-24h latest=now x=1', { x: '1' })).toBe(true);
    expect(run('starthoursago=168 x=1', { x: '2' })).toBe(false);
  });

  it('fieldName maps written data-model fields to event keys', () => {
    const e = expr('Processes.process_name=ngrok.exe');
    expect(evaluateSearch(e, { process_name: 'ngrok.exe' }, (f) => f.replace(/^Processes\./, ''))).toBe(true);
  });

  it('wildcard matching stays linear on hostile patterns', () => {
    const value = 'a'.repeat(20000);
    const pattern = `${'*a'.repeat(2000)}*b`;
    expect(wildcardMatch(value, pattern)).toBe(false);
  });
});
