import { describe, expect, it } from 'vitest';
import { isScalar } from 'yaml';
import { nodeAt, parseYamlText, positionInScalar, positionOfPath } from './yaml-file.js';
import { snakeCase } from './naming.js';

const parse = (text: string | Buffer) => parseYamlText(text, '/x/a.yml', 'a.yml');

describe('parseYamlText', () => {
  it('keeps positions of keys and values', () => {
    const f = parse('name: x\ntags:\n  confidence: 100\n  list:\n  - a\n  - b\n');
    expect(f.diagnostics).toEqual([]);
    expect(positionOfPath(f, ['tags', 'confidence'], 'key')).toEqual({ line: 3, column: 3 });
    expect(positionOfPath(f, ['tags', 'confidence'])).toEqual({ line: 3, column: 15 });
    expect(positionOfPath(f, ['tags', 'list', 1])).toEqual({ line: 6, column: 5 });
    // A missing key points at the closest existing ancestor.
    expect(positionOfPath(f, ['tags', 'missing'])).toEqual({ line: 3, column: 3 });
  });

  it('reports duplicate keys at the second key', () => {
    const f = parse('name: a\nid: 1\nname: b\n');
    expect(f.diagnostics).toMatchObject([
      {
        rule: 'yaml-duplicate-key',
        line: 3,
        column: 1,
        severity: 'error',
        message: expect.stringContaining('duplicate key "name"'),
      },
    ]);
  });

  it('reports tabs in indentation with their position', () => {
    const f = parse('tags:\n\tconfidence: 1\n');
    expect(f.diagnostics.some((d) => d.rule === 'yaml-tab' && d.line === 2 && d.column === 1)).toBe(true);
  });

  it('reports invalid UTF-8 at the offending byte', () => {
    const f = parse(Buffer.concat([Buffer.from('name: ok\ndescription: caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    expect(f.diagnostics).toMatchObject([{ rule: 'yaml-encoding', line: 2, column: 17 }]);
    expect(f.value).toBeUndefined();
  });

  it('bounds aliases (billion laughs) instead of expanding them', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 30; i++) lines.push(`b${i}: &b${i} [*a, *a, *a, *a, *a, *a, *a, *a, *a]`);
    const f = parse(lines.join('\n'));
    expect(f.diagnostics.some((d) => d.rule === 'yaml-alias')).toBe(true);
    expect(f.value).toBeUndefined();
  });

  it('reports syntax errors positioned, never throws', () => {
    const f = parse('name: [unclosed\nid: 2\n');
    expect(f.diagnostics.length).toBeGreaterThan(0);
    expect(f.diagnostics[0]!.rule).toBe('yaml-syntax');
  });

  it('reports an empty file', () => {
    expect(parse('').diagnostics).toMatchObject([{ rule: 'yaml-empty' }]);
  });
});

describe('positionInScalar maps characters of a value to file positions', () => {
  const charPos = (text: string, needle: string) => {
    const f = parse(text);
    const { node } = nodeAt(f, ['search']);
    if (!isScalar(node)) throw new Error('no scalar');
    const i = String(node.value).indexOf(needle);
    return positionInScalar(f, node, i);
  };
  it('single-quoted with doubled quotes', () => {
    expect(charPos("search: 'a ''b'' | where x=1'\n", 'x=1')).toEqual({ line: 1, column: 26 });
  });
  it('double-quoted with escapes', () => {
    expect(charPos('search: "a \\"b\\" \\\\ x=1"\n', 'x=1')).toEqual({ line: 1, column: 21 });
  });
  it('plain multi-line folded', () => {
    expect(charPos('search: a b\n  c x=1\n', 'x=1')).toEqual({ line: 2, column: 5 });
  });
  it('block literal', () => {
    expect(charPos('search: |\n  | tstats count\n  | where x=1\n', 'x=1')).toEqual({ line: 3, column: 11 });
  });
  it('block folded', () => {
    expect(charPos('search: >-\n  | tstats count\n  | where x=1\n', 'x=1')).toEqual({ line: 3, column: 11 });
  });
  it('quoted folded across lines', () => {
    expect(charPos("search: '| tstats count\n  where x=1'\n", 'x=1')).toEqual({ line: 2, column: 9 });
  });
});

describe('snakeCase (contentctl ensureFileNameMatchesSearchName)', () => {
  it('lowercases and replaces space, dash, dot and slash', () => {
    expect(snakeCase('Windows Ngrok Reverse Proxy Usage')).toBe('windows_ngrok_reverse_proxy_usage');
    expect(snakeCase('A-B.C/D E')).toBe('a_b_c_d_e');
  });
});
