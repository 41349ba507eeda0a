import { afterEach, describe, expect, it } from 'vitest';
import { discoverContent, loadItem } from '@dac/content';
import { checkItem, quickFacts } from './check-file.js';
import { writeTree } from './testing.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

const slow = (root: string) =>
  discoverContent(root).entries.map(
    (e) =>
      checkItem(loadItem(e, root), {
        settings: { root, label: 'ESCU', macros: [], unreadableMacros: [] },
        reported: false,
        enabled: () => true,
      }).facts,
  );

describe('quickFacts (files outside the PATHs: name/id without a YAML parse)', () => {
  it('agrees with the full parse on plain, quoted, commented and odd values', () => {
    const t = writeTree({
      'stories/quoted.yml': "name: 'It''s quoted' # a comment\nid: \"41111111-2222-4333-8444-555555555555\"\n",
      'stories/block.yml': 'name: >-\n  Folded Name\nid: 51111111-2222-4333-8444-555555555555\n',
      'stories/crlf.yml': 'name: Windows Lines\r\nid: 61111111-2222-4333-8444-555555555555\r\n',
      'stories/nested_only.yml': 'tags:\n  name: not top level\n',
      'stories/broken.yml': "name: 'unclosed\n",
    });
    cleanup = t.cleanup;
    const full = slow(t.root);
    const quick = discoverContent(t.root).entries.map((e) => quickFacts(e, t.root).facts);
    expect(quick).toEqual(full);
    expect(quick.find((f) => f.file === 'stories/quoted.yml')!.name).toEqual({
      value: "It's quoted",
      line: 1,
      column: 7,
    });
  });

  it('agrees with the full parse on the repository content', () => {
    const root = new URL('../../..', import.meta.url).pathname;
    const quick = discoverContent(root).entries.map((e) => quickFacts(e, root).facts);
    expect(quick).toEqual(slow(root));
  });
});
