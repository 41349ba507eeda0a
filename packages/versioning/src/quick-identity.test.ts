import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { quickIdentity } from './check.js';

const UUID_A = 'e2549f2c-0aef-408a-b0c1-e0f270623436';
const UUID_B = '0F0E0D0C-0B0A-4909-8807-060504030201';

// Lines that could confuse a line-based reader: ids in every quoting style, nested and block
// content that mentions `id:`, document markers, anchors, tags, flow mappings, quoted keys.
const LINES = [
  `id: ${UUID_A}`,
  `id: '${UUID_B}'`,
  `id: "${UUID_A}"   # the uuid`,
  `id:    ${UUID_B}`,
  `  id: ${UUID_B}`,
  `"id": ${UUID_A}`,
  `id: &x ${UUID_A}`,
  `id: !!str ${UUID_B}`,
  'id:',
  'id: not-a-uuid',
  `? id`,
  `: ${UUID_A}`,
  'name: Some Detection',
  "name: 'Quoted # name'",
  'version: 5',
  "version: '5'",
  'version: 7 # bumped',
  'tags:',
  '  confidence: 50',
  'search: |',
  `  | search id: ${UUID_B}`,
  'description: >-',
  '  text',
  `# id: ${UUID_B}`,
  '---',
  '...',
  `{id: ${UUID_A}}`,
  '- item',
  `search: 'a`,
  `id: ${UUID_A}'`,
  '',
  `id: ${UUID_A} extra words`,
  '  - seq',
  '  # indented comment',
];

describe('quickIdentity (line-based id for files identical to the base)', () => {
  it('reads the common forms', () => {
    expect(quickIdentity(Buffer.from(`name: X\nid: '${UUID_B}' # c\nversion: 3\n`))).toEqual({
      id: UUID_B.toLowerCase(),
      name: 'X',
      version: 3,
    });
    expect(quickIdentity(Buffer.from(`\ufeffid: ${UUID_A}\n`))).toEqual({
      id: UUID_A,
      name: undefined,
      version: undefined,
    });
    expect(quickIdentity(Buffer.from(`id: ${UUID_A}\nid: ${UUID_B}\n`))).toBeUndefined();
    // A continuation line makes the id a longer plain scalar (found by the property below).
    expect(quickIdentity(Buffer.from(`id: ${UUID_A}\n  text\n`))).toBeUndefined();
    expect(quickIdentity(Buffer.from(`id: ${UUID_A}\n\nname: x\n`))?.id).toBe(UUID_A);
  });

  it('never disagrees with the YAML parser on a valid document (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...LINES), { maxLength: 12 }), (lines) => {
        const text = `${lines.join('\n')}\n`;
        const quick = quickIdentity(Buffer.from(text));
        if (!quick) return true;
        const doc = parseDocument(text, { uniqueKeys: true, strict: true });
        if (doc.errors.length > 0) return true; // invalid YAML: validate reports it; the id does not matter
        const v = doc.toJS() as Record<string, unknown> | null;
        return (
          v !== null && typeof v === 'object' && typeof v.id === 'string' && v.id.trim().toLowerCase() === quick.id
        );
      }),
      { numRuns: 20000 },
    );
  });
});
