import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validate } from '../validate.js';
import { DETECTION, writeTree } from '../testing.js';

const DET = 'detections/endpoint/demo_process_detection.yml';
let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

async function findings(modeline: string, withSchemas = true) {
  const t = writeTree({ [DET]: `${modeline}\n${DETECTION}` });
  cleanups.push(t.cleanup);
  if (withSchemas) {
    mkdirSync(join(t.root, 'schemas'), { recursive: true });
    for (const k of ['detection', 'story']) writeFileSync(join(t.root, 'schemas', `${k}.schema.json`), '{}');
  }
  const r = await validate({ root: t.root, workers: 0 });
  return r.diagnostics.filter((d) => d.rule === 'schema-comment');
}

describe('schema-comment', () => {
  it('a $schema path that resolves relative to the file and names the kind’s schema passes', async () => {
    expect(await findings('# yaml-language-server: $schema=../../schemas/detection.schema.json')).toEqual([]);
  });

  it('a path that does not resolve is a warning at the path, saying where it looked', async () => {
    const f = await findings('# yaml-language-server: $schema=../schemas/detection.schema.json');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ file: DET, line: 1, column: 33, severity: 'warning' });
    expect(f[0]!.message).toMatch(
      /^schema \.\.\/schemas\/detection\.schema\.json does not exist \(resolved relative to this file: .*detections\/schemas\/detection\.schema\.json\)/,
    );
  });

  it('another kind’s schema is reported; an empty path too; URLs are not judged', async () => {
    expect((await findings('# yaml-language-server: $schema=../../schemas/story.schema.json'))[0]?.message).toContain(
      'is for another kind of file; a detection uses detection.schema.json',
    );
    expect((await findings('# yaml-language-server: $schema='))[0]?.message).toContain('names no schema file');
    expect(await findings('# yaml-language-server: $schema=https://example.com/detection.schema.json', false)).toEqual(
      [],
    );
  });
});
