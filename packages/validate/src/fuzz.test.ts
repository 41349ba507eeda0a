// Property tests: whatever the YAML holds, validation returns positioned diagnostics and never
// throws (issue 2: "bad input → clear positioned diagnostic, never a crash").
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { itemOf, parseYamlText, type ContentKind } from '@dac/content';
import { checkItem } from './check-file.js';
import { BASE_TREE, DETECTION } from './testing.js';
import type { SharedSettings } from './types.js';

const settings: SharedSettings = {
  root: '/virtual',
  label: 'ESCU',
  macros: [
    { name: 'security_content_summariesonly', args: [], definition: 'summariesonly=false' },
    { name: 'security_content_ctime', args: ['field'], definition: 'convert ctime($field$)' },
  ],
  unreadableMacros: [],
};

function check(text: string, kind: ContentKind = 'detection') {
  const rel = kind === 'detection' ? 'detections/endpoint/demo_process_detection.yml' : `${kind}s/x.yml`;
  const file = parseYamlText(text, `/virtual/${rel}`, rel);
  const r = checkItem(itemOf(kind, file), { settings, reported: true, enabled: () => true });
  const lines = text.split('\n');
  for (const d of r.diagnostics) {
    expect(d.line, JSON.stringify(d)).toBeGreaterThanOrEqual(1);
    expect(d.column, JSON.stringify(d)).toBeGreaterThanOrEqual(1);
    expect(d.line, JSON.stringify(d)).toBeLessThanOrEqual(Math.max(1, lines.length));
    expect(d.rule).not.toBe('internal');
    expect(typeof d.message).toBe('string');
  }
  return r;
}

// Paths of the base detection's values, to replace one with an arbitrary value.
const doc = parseDocument(DETECTION).toJS() as Record<string, unknown>;
const paths: (string | number)[][] = [];
(function walk(v: unknown, p: (string | number)[]) {
  paths.push(p);
  if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
})(doc, []);

const jsonValue = fc.jsonValue({ maxDepth: 3 });

describe('validation never throws on arbitrary content (fast-check)', () => {
  it('a detection with any value replaced by an arbitrary JSON value', () => {
    fc.assert(
      fc.property(fc.constantFrom(...paths.filter((p) => p.length > 0)), jsonValue, (path, value) => {
        const d = parseDocument(DETECTION);
        d.setIn(path, value);
        check(d.toString());
      }),
      { numRuns: 300 },
    );
  });

  it('a detection with arbitrary SPL and message text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 120 }), (search, message) => {
        const d = parseDocument(DETECTION);
        d.setIn(['search'], search);
        d.setIn(['tags', 'message'], message);
        check(d.toString());
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary text as any kind of file', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 400 }),
        fc.constantFrom<ContentKind>('detection', 'macro', 'story', 'data_source', 'lookup'),
        (text, kind) => {
          check(text, kind);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the real files, cut at an arbitrary point', () => {
    const texts = Object.entries(BASE_TREE)
      .filter(([k]) => k.endsWith('.yml'))
      .map(([, t]) => t);
    fc.assert(
      fc.property(fc.constantFrom(...texts), fc.nat(), (text, cut) => {
        check(text.slice(0, cut % (text.length + 1)));
      }),
      { numRuns: 300 },
    );
  });
});
