import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { positionAt } from '@dac/content';
import type { Finding, FileRule } from '../types.js';

/** The editor modeline of the YAML language server (VS Code's YAML extension, and editors using it). */
const MODELINE = /^[ \t]*#[ \t]*yaml-language-server:[ \t]*\$schema=(\S*)/gm;

/** The schema file each kind's editor mapping should name (dac's schemas/<kind>.schema.json). */
const SCHEMA_OF: Record<string, string> = {
  detection: 'detection.schema.json',
  story: 'story.schema.json',
  macro: 'macro.schema.json',
  data_source: 'data_source.schema.json',
  lookup: 'lookup.schema.json',
};
const DAC_SCHEMA = /^(detection|story|macro|data_source|lookup|config)\.schema\.json$/;

/**
 * A `# yaml-language-server: $schema=PATH` comment whose PATH does not resolve leaves the editor
 * without completion or checks, silently. PATH is resolved as the YAML language server does:
 * relative to the file's folder (absolute paths as they are); URLs are not fetched and not judged.
 * A PATH naming another kind's dac schema (a story schema in a detection) is reported too.
 */
export const schemaComment: FileRule = {
  id: 'schema-comment',
  scope: 'file',
  kinds: ['detection', 'story', 'data_source', 'macro', 'lookup'],
  defaultSeverity: 'warning',
  description:
    'A `# yaml-language-server: $schema=PATH` comment names a schema file that exists (relative to the YAML file) and is the schema of this kind of file.',
  check(ctx) {
    const out: Finding[] = [];
    const text = ctx.file.text;
    if (!text.includes('yaml-language-server')) return out;
    for (const m of text.matchAll(MODELINE)) {
      const target = m[1]!;
      const at = positionAt(ctx.file, m.index + m[0].length - target.length);
      if (target === '') {
        out.push({ ...at, message: 'the $schema= comment names no schema file' });
        continue;
      }
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) continue;
      const path = isAbsolute(target) ? target : resolve(dirname(ctx.file.path), target);
      const base = target.slice(target.lastIndexOf('/') + 1);
      const want = SCHEMA_OF[ctx.kind];
      if (!existsSync(path) || !statSync(path).isFile()) {
        out.push({
          ...at,
          message: `schema ${target} does not exist (resolved relative to this file: ${path}); the editor gets no completion or checks${want ? `; dac's schema for this file is ${want}` : ''}`,
        });
      } else if (want && DAC_SCHEMA.test(base) && base !== want) {
        out.push({
          ...at,
          message: `schema ${target} is for another kind of file; a ${ctx.kind.replace('_', ' ')} uses ${want}`,
        });
      }
    }
    return out;
  },
};
