/**
 * Search macros defined in `macros.conf` text (splunk-semantics.md §6.2): stanza `[name]` or
 * `[name(N)]` with `definition` and, for N > 0, `args = a, b`. The file syntax is @dac/conf's.
 */
import { confToMap, parseConf } from '@dac/conf';
import type { MacroDefinition } from './macros.js';

/** Macro definitions of a `macros.conf` text; `source` (a file name) is recorded with the stanza's line. */
export function macrosFromConf(text: string, source?: string): MacroDefinition[] {
  const file = parseConf(text);
  const lines = new Map<string, number>();
  for (const s of file.stanzas) if (s.name !== null && !lines.has(s.name)) lines.set(s.name, s.line);
  const out: MacroDefinition[] = [];
  for (const [stanza, settings] of confToMap(file)) {
    const definition = settings.get('definition');
    if (stanza === '' || definition === undefined) continue;
    const m = /^(.*)\((\d+)\)$/.exec(stanza);
    const name = m ? m[1] : stanza;
    const argsText = settings.get('args');
    const args = argsText
      ? argsText
          .split(',')
          .map((a) => a.trim())
          .filter((a) => a !== '')
      : [];
    out.push({ name, args, definition, source: source ? `${source}:${lines.get(stanza)}` : undefined });
  }
  return out;
}
