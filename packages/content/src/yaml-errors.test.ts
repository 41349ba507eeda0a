// YAML syntax errors explained for content authors: each case is a mistake authors make in ESCU
// detection files (the inputs are hand-written, shaped like the corpus's files).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseYamlText } from './yaml-file.js';

function syntax(text: string) {
  const f = parseYamlText(text, '/x/detections/a.yml', 'detections/a.yml');
  return f.diagnostics.filter((d) => d.rule === 'yaml-syntax');
}

describe('YAML syntax errors in words a content author understands', () => {
  it.each([
    [
      'a value with ": " in it (YAML reads a second key)',
      'name: x\ndescription: Detects the use of foo: the bar tool\n',
      /^this value contains ': ' \(a colon followed by a space\), .*put the whole value in quotes.* \(YAML parser: Nested mappings are not allowed in compact mappings\)$/,
      { line: 2, column: 14 },
    ],
    [
      "a single-quoted search with a ' inside",
      "name: x\nsearch: '| search process_name='cmd.exe' | stats count'\n",
      /^text continues after the closing quote of this value; to use ' inside a '…' value write it twice \(''\)/,
      undefined,
    ],
    [
      'a quoted value never closed',
      "name: x\nsearch: '| tstats count\nid: 1\n",
      /^a '…' value is never closed \(the one opened on line 2\): add the closing '/,
      undefined,
    ],
    [
      'a search starting with | unquoted (a block scalar header)',
      'name: x\nsearch: | tstats count from datamodel=Endpoint.Processes\n',
      /^'\|' and '>' start a block of text on the following lines.*must be quoted \('\| tstats …'\)/,
      undefined,
    ],
    [
      'a search starting with a backtick macro unquoted',
      'name: x\nsearch: `sysmon` EventCode=1 | stats count\n',
      /^a value that starts with ` must be quoted: write '`…'/,
      undefined,
    ],
    [
      'a key without the space after its colon',
      'name:Windows Foo\nid: 1\n',
      /^a key's ':' must be followed by a space \(write `key: value`\) \(YAML parser: Implicit keys need to be on a single line\)$/,
      { line: 1, column: 1 },
    ],
    [
      'keys of one mapping at different indentation',
      'name: x\ntags:\n    asset_type: Endpoint\n  confidence: 50\n',
      /^the keys of one mapping must all be indented by the same number of spaces/,
      undefined,
    ],
    [
      'a backslash in a double-quoted regular expression',
      'name: x\nsearch: "| regex process=\\"\\d+\\""\n',
      /^inside "…" a backslash starts an escape .*quote the value with '…'/,
      undefined,
    ],
    ['a list item on the line of a scalar key', 'name: x\ndata_source: - Sysmon EventID 1\n', /./, undefined],
  ])('%s', (_what, text, message, position) => {
    const d = syntax(text);
    expect(d.length).toBeGreaterThan(0);
    expect(d[0]!.message).toMatch(message);
    expect(d[0]!.message).toMatch(/\(YAML parser: [^)]+\)$|^[^(]+$/);
    if (position) expect({ line: d[0]!.line, column: d[0]!.column }).toEqual(position);
  });

  it('"Implicit keys need to be on a single line" for a value that wraps onto a line of its own', () => {
    const d = syntax('name: x\ndescription: a long text\nthat wraps: without indentation\nand more\n');
    expect(d.map((x) => x.message).join('\n')).toMatch(
      /a key and its ':' must be on one line|neither `key: value` nor a continuation/,
    );
  });
});

// Real ESCU files that do not parse (../shared/corpus/escu; skipped without it).
const CORPUS = new URL('../../../../shared/corpus/escu/', import.meta.url);
describe.skipIf(!existsSync(CORPUS))('on the ESCU corpus', () => {
  it("stories/metasploit.yml: a narrative whose '…' quote is never closed names the line it opens on", () => {
    const text = readFileSync(new URL('stories/metasploit.yml', CORPUS), 'utf8');
    const d = syntax(text);
    const opened = text.split('\n').findIndex((l) => l.startsWith("narrative: '")) + 1;
    expect(d[0]!.message).toContain(`a '…' value is never closed (the one opened on line ${opened})`);
  });
});
