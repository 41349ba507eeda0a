import { confControlCharacterAt, controlCharacterName } from '@dac/conf';
import { positionInScalar, type PathSegment } from '@dac/content';
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import type { FileRule, Finding } from '../types.js';

/**
 * No control character other than tab, LF and CR in any string of a content file: values become
 * `.conf` lines, and the format has no escape for NUL, VT, FF, ESC or DEL (@dac/conf
 * confControlProblem: dac refuses them rather than change what a search matches; splunkd's
 * handling of NUL is not documented). Reported at the character itself, with the key path; the
 * build refuses the same values, so the app never carries one (issue 12 case 7).
 */
export const confControlCharacter: FileRule = {
  id: 'conf-control-character',
  scope: 'file',
  kinds: ['detection', 'macro', 'story', 'data_source', 'lookup'],
  defaultSeverity: 'error',
  description:
    'Strings hold no control characters other than tab and line breaks (NUL, VT, FF, ESC, DEL cannot be written to a .conf file).',
  check(ctx) {
    const doc = ctx.file.doc;
    // Raw in the file, or written as a double-quoted escape (`\0`, `\v`, `\x0c`): else nothing to find.
    if (!doc || (confControlCharacterAt(ctx.file.text) < 0 && !ctx.file.text.includes('\\'))) return [];
    const out: Finding[] = [];
    // Iterative walk (a deep document cannot overflow the stack), keys and values alike.
    const stack: { node: unknown; path: PathSegment[] }[] = [{ node: doc.contents, path: [] }];
    while (stack.length > 0 && out.length < 100) {
      const { node, path } = stack.pop()!;
      if (isMap(node)) {
        for (let i = node.items.length - 1; i >= 0; i--) {
          const pair = node.items[i]!;
          if (!isPair(pair)) continue;
          const key = isScalar(pair.key) ? String(pair.key.value) : '?';
          stack.push({ node: pair.value, path: [...path, key] });
          stack.push({ node: pair.key, path: [...path, key] });
        }
      } else if (isSeq(node)) {
        for (let i = node.items.length - 1; i >= 0; i--) stack.push({ node: node.items[i], path: [...path, i] });
      } else if (isScalar(node) && typeof node.value === 'string') {
        const at = confControlCharacterAt(node.value);
        if (at < 0) continue;
        const where = path.length
          ? path
              .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
              .join('')
              .slice(1)
          : 'value';
        out.push({
          ...positionInScalar(ctx.file, node, at),
          message: `${where} contains the control character ${controlCharacterName(node.value[at]!)}; .conf files have no escape for it, so it cannot be built into the app (remove it)`,
        });
      }
    }
    return out;
  },
};
