import { realpathSync, statSync } from 'node:fs';
import { writeFileAtomic } from '@dac/fs';
import { isScalar, Scalar } from 'yaml';
import { nodeAt, positionAt, type YamlFile } from '@dac/content';
import type { SideFile } from './compare.js';

/** A value --fix would write: `key` (top level) of a working-tree file becomes `to`. */
export interface PlannedFix {
  side: SideFile;
  file: YamlFile;
  key: 'version' | 'date';
  to: number | string;
}

/** What --fix changed, positioned at the value it rewrote. */
export interface AppliedFix {
  file: string;
  line: number;
  column: number;
  key: 'version' | 'date';
  from: string;
  to: string;
}

/**
 * Rewrites the planned values in place by replacing exactly the source range of each value
 * scalar: keys, comments, quoting style of dates, indentation and every other byte of the file
 * stay as they were. Values that are not plain scalars (missing key, a block or a collection)
 * are left alone; the re-check still reports them.
 */
export function applyFixes(planned: PlannedFix[]): AppliedFix[] {
  const byFile = new Map<string, PlannedFix[]>();
  for (const p of planned) byFile.set(p.side.path, [...(byFile.get(p.side.path) ?? []), p]);
  const applied: AppliedFix[] = [];
  for (const [path, fixes] of byFile) {
    const file = fixes[0]!.file;
    const text = file.text;
    const edits: { start: number; end: number; replacement: string; fix: AppliedFix }[] = [];
    const seen = new Set<string>();
    const inserts: PlannedFix[] = [];
    for (const f of fixes) {
      if (seen.has(f.key)) continue;
      seen.add(f.key);
      const { node, pair } = nodeAt(file, [f.key]);
      if (!pair && !node) {
        inserts.push(f);
        continue;
      }
      if (!isScalar(node) || !node.range) continue;
      const [start, end] = node.range;
      const from = text.slice(start, end);
      let replacement = literal(node, f.key, f.to);
      // `version:` with no value: keep YAML's required space after the colon.
      if (from === '' && text[start - 1] === ':') replacement = ` ${replacement}`;
      if (from === replacement) continue;
      edits.push({
        start,
        end,
        replacement,
        fix: { file: file.relPath, ...positionAt(file, start), key: f.key, from, to: replacement },
      });
    }
    // A missing key goes on its own line right after the `id:` line (ESCU's key order: name, id,
    // version, date), version before date.
    const idEnd = lineEndAfter(file, 'id');
    if (inserts.length > 0 && idEnd !== undefined) {
      inserts.sort((a, b) => (a.key === 'version' ? -1 : 0) - (b.key === 'version' ? -1 : 0));
      const eol = text.includes('\r\n') ? '\r\n' : '\n';
      const lines = inserts.map((f) => `${f.key}: ${f.key === 'version' ? String(f.to) : `'${String(f.to)}'`}`);
      const at = idEnd;
      const replacement = lines.map((l) => eol + l).join('');
      const pos = positionAt(file, at);
      edits.push({
        start: at,
        end: at,
        replacement,
        fix: {
          file: file.relPath,
          line: pos.line + 1,
          column: 1,
          key: inserts[0]!.key,
          from: '(missing)',
          to: lines.join('; '),
        },
      });
    }
    if (edits.length === 0) continue;
    edits.sort((a, b) => b.start - a.start);
    let out = text;
    for (const e of edits) out = out.slice(0, e.start) + e.replacement + out.slice(e.end);
    // parseYamlText drops a UTF-8 byte-order mark from the text; put it back.
    const bom =
      fixes[0]!.side.bytes?.[0] === 0xef && fixes[0]!.side.bytes?.[1] === 0xbb && fixes[0]!.side.bytes?.[2] === 0xbf;
    // The real file (it was read confined to the content root), replaced atomically with its mode.
    const real = realpathSync(path);
    writeFileAtomic(real, (bom ? '\ufeff' : '') + out, { mode: statSync(real).mode & 0o777 });
    applied.push(...edits.reverse().map((e) => e.fix));
  }
  return applied;
}

/** Offset of the end of the line holding the top-level `key`'s value (before its newline). */
function lineEndAfter(file: YamlFile, key: string): number | undefined {
  const { node, pair } = nodeAt(file, [key]);
  const end =
    (node as { range?: [number, number, number] } | undefined)?.range?.[1] ??
    (pair?.key as { range?: [number, number, number] } | undefined)?.range?.[1];
  if (end === undefined) return undefined;
  const nl = file.text.indexOf('\n', end);
  if (nl < 0) return file.text.length;
  return file.text[nl - 1] === '\r' ? nl - 1 : nl;
}

/** The source text for a new value, keeping a date's quoting style (version is always a plain integer). */
function literal(node: Scalar, key: 'version' | 'date', to: number | string): string {
  if (key === 'version') return String(to);
  const s = String(to);
  switch (node.type) {
    case Scalar.QUOTE_DOUBLE:
      return `"${s}"`;
    case Scalar.PLAIN:
      return s;
    default:
      return `'${s}'`;
  }
}
