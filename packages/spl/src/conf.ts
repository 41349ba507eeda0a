/**
 * A minimal reader of Splunk `.conf` files, enough for `macros.conf` (splunk-semantics.md §6.1):
 * `[stanza]` headers, `key = value` settings, `#` comment lines, and a backslash as the very last
 * character of a line joining the next line (the newline is kept in the value).
 */
import type { MacroDefinition } from './macros.js';

export interface ConfStanza {
  name: string;
  settings: Map<string, string>;
  /** 1-based line of the header. */
  line: number;
}

export function parseConf(text: string): ConfStanza[] {
  const stanzas: ConfStanza[] = [];
  let current: ConfStanza = { name: 'default', settings: new Map(), line: 0 };
  stanzas.push(current);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let line = lines[i];
    // Continuation: the backslash must be the very last character (no trailing whitespace).
    while (line.endsWith('\\') && i + 1 < lines.length) {
      line = `${line.slice(0, -1)}\n${lines[++i]}`;
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const header = /^\s*\[(.*)\]\s*$/.exec(line);
    if (header && !line.includes('\n')) {
      current = { name: header[1], settings: new Map(), line: lineNo };
      stanzas.push(current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    current.settings.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return stanzas.filter((s) => s.name !== 'default' || s.settings.size > 0);
}

/** Macro definitions of a `macros.conf` text: stanza `[name(N)]` with `args = a, b` and `definition`. */
export function macrosFromConf(text: string, source?: string): MacroDefinition[] {
  const out: MacroDefinition[] = [];
  for (const st of parseConf(text)) {
    const definition = st.settings.get('definition');
    if (definition === undefined) continue;
    const m = /^(.*)\((\d+)\)$/.exec(st.name);
    const name = m ? m[1] : st.name;
    const argsText = st.settings.get('args');
    const args = argsText
      ? argsText
          .split(',')
          .map((a) => a.trim())
          .filter((a) => a !== '')
      : [];
    out.push({ name, args, definition, source: source ? `${source}:${st.line}` : undefined });
  }
  return out;
}
