import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContent } from '@dac/content';
import { selectDetections } from './select.js';

const root = join(import.meta.dirname, '..', '..', '..');
const tree = loadContent(root);
const REL = 'detections/endpoint/windows_ngrok_reverse_proxy_usage.yml';

describe('selectDetections: one way to name a detection in every command', () => {
  it.each([
    ['its file, relative to the root', REL],
    ['its file, absolute', join(root, REL)],
    ['its folder', 'detections/endpoint'],
    ['its name', 'Windows Ngrok Reverse Proxy Usage'],
    ['its name in another case', 'windows ngrok reverse proxy usage'],
    ['its snake_case name / file stem', 'windows_ngrok_reverse_proxy_usage'],
    ['its id', 'E2549F2C-0AEF-408A-B0C1-E0F270623436'],
  ])('by %s', (_what, sel) => {
    expect(selectDetections(tree.detections, root, [sel], root)).toEqual({ files: [REL] });
  });

  it('says what is wrong: no such name, a file that is not a detection, a path outside the root', () => {
    expect(selectDetections(tree.detections, root, ['nope'], root)).toEqual({
      error: 'no detection named "nope" (give a detection name, its file or folder, or its id)',
    });
    expect(selectDetections(tree.detections, root, ['macros/security_content_ctime.yml'], root)).toMatchObject({
      error: expect.stringContaining('is not a detection file'),
    });
    expect(selectDetections(tree.detections, root, ['/'], root)).toMatchObject({
      error: expect.stringContaining('outside the content root'),
    });
  });
});
