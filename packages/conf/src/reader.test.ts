import { describe, expect, it } from 'vitest';
import { confToMap, parseConf } from './reader.js';

describe('parseConf (Splunk .conf syntax, splunk-semantics.md §6.1)', () => {
  it('reads stanzas, settings, comments and global settings', () => {
    const f = parseConf(
      '# header\nglobal = 1\n\n[drop_dm_object_name(1)]\nargs = object\ndefinition = rename "$object$.*" as *\n  # indented comment\n[(?::){0}XmlWinEventLog:*]\nk=v\n',
    );
    expect(f.problems).toEqual([]);
    expect(f.comments.map((c) => c.line)).toEqual([1, 7]);
    expect(f.stanzas.map((s) => s.name)).toEqual([null, 'drop_dm_object_name(1)', '(?::){0}XmlWinEventLog:*']);
    const m = confToMap(f);
    expect(m.get('')!.get('global')).toBe('1');
    expect(m.get('drop_dm_object_name(1)')!.get('definition')).toBe('rename "$object$.*" as *');
    expect(m.get('(?::){0}XmlWinEventLog:*')!.get('k')).toBe('v');
  });

  it('joins backslash continuations and keeps the newline in the value', () => {
    const f = parseConf('[s]\nsearch = | tstats count \\\n| `x_filter`\nnext = 1\n');
    expect(confToMap(f).get('s')).toEqual(
      new Map([
        ['search', '| tstats count \n| `x_filter`'],
        ['next', '1'],
      ]),
    );
    expect(f.stanzas[0]!.entries[1]!.line).toBe(4);
  });

  it('keeps a continued line that looks like a stanza or a setting inside the value', () => {
    const f = parseConf('[s]\nd = a \\\n[evil] \\\nx = y\n');
    expect(f.stanzas).toHaveLength(1);
    expect(confToMap(f).get('s')!.get('d')).toBe('a \n[evil] \nx = y');
  });

  it('shows why a missing backslash corrupts a file: the next line is a bogus line', () => {
    const f = parseConf('[s]\nsearch = a\nb\n');
    expect(f.problems).toHaveLength(1);
    expect(f.problems[0]!.line).toBe(3);
  });

  it('shows why a trailing backslash corrupts a file: it swallows the next setting', () => {
    const f = parseConf('[s]\npath = C:\\\ndisabled = true\n');
    expect(confToMap(f).get('s')).toEqual(new Map([['path', 'C:\ndisabled = true']]));
  });

  it('reads CRLF lines, but a backslash before CRLF is not a continuation', () => {
    const f = parseConf('[s]\r\nk = a \\\r\nb = c\r\n');
    expect(f.stanzas[0]!.name).toBe('s');
    expect(confToMap(f).get('s')).toEqual(
      new Map([
        ['k', 'a \\'],
        ['b', 'c'],
      ]),
    );
  });

  it('uses the last definition of a repeated setting', () => {
    expect(confToMap(parseConf('[a]\nk = 1\n[a]\nk = 2\n')).get('a')!.get('k')).toBe('2');
  });

  it('reports a file that ends inside a continuation', () => {
    expect(parseConf('[a]\nk = v\\').problems[0]!.message).toMatch(/continuation/);
  });
});
