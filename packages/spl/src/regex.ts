/**
 * Splunk regular expressions are PCRE (rex, regex, match(), replace(), props EXTRACT); this module
 * translates a PCRE pattern into an equivalent JavaScript RegExp, or says which PCRE feature has
 * no JavaScript equivalent. Never a silent approximation:
 * - leading inline options `(?i)`, `(?s)`, `(?m)`, `(?x)` (any combination) become flags (`x`
 *   strips unescaped whitespace and `#` comments outside classes);
 * - `(?P<name>…)` → `(?<name>…)`, `(?P=name)` → `\k<name>`, `(?#…)` comments dropped;
 * - PCRE's `$` (no multiline) matches at the end or before a final newline → `(?=\n?$)`; `.`
 *   matches everything but `\n` (JavaScript's also stops at `\r`, U+2028, U+2029) → `[^\n]`;
 * - `\A` `\z` `\Z` `\h` `\H` `\R` `\e` `\Q…\E` `\x{…}` and POSIX classes `[[:alpha:]]` are rewritten;
 * - unsupported (reported): inline options after the start, atomic groups `(?>`, possessive
 *   quantifiers, recursion, conditionals, branch reset, `\G`, `\K`, callouts, `\p` properties.
 */

export type PcreTranslation = { ok: true; source: string; flags: string } | { ok: false; message: string };

const POSIX: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: '\\s',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  word: '\\w',
  cntrl: '\\x00-\\x1f\\x7f',
  print: ' -~',
  graph: '!-~',
};

function escapeLiteral(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** Translates a PCRE pattern (as Splunk receives it, after SPL string unescaping). */
export function translatePcre(pattern: string, extraFlags = ''): PcreTranslation {
  let p = pattern;
  const flags = new Set<string>([...extraFlags]);
  // Leading option settings, possibly repeated: (?i)(?s)…
  for (;;) {
    const m = /^\(\?([imsxU-]+)\)/.exec(p);
    if (!m) break;
    if (m[1]!.includes('-') || m[1]!.includes('U'))
      return { ok: false, message: `inline option (?${m[1]}) has no JavaScript equivalent` };
    for (const f of m[1]!) flags.add(f);
    p = p.slice(m[0].length);
  }
  const extended = flags.delete('x');
  const multiline = flags.has('m');
  const dotAll = flags.has('s');
  let out = '';
  let i = 0;
  let inClass = false;
  const n = p.length;
  while (i < n) {
    const c = p[i]!;
    if (c === '\\') {
      const d = p[i + 1];
      if (d === undefined) return { ok: false, message: 'pattern ends with a lone backslash' };
      if (d === 'Q') {
        const e = p.indexOf('\\E', i + 2);
        const lit = p.slice(i + 2, e < 0 ? n : e);
        out += escapeLiteral(lit);
        i = e < 0 ? n : e + 2;
        continue;
      }
      if (d === 'E') {
        i += 2;
        continue;
      }
      if (!inClass) {
        if (d === 'A') {
          out += '(?<![\\s\\S])';
          i += 2;
          continue;
        }
        if (d === 'z') {
          out += '(?![\\s\\S])';
          i += 2;
          continue;
        }
        if (d === 'Z') {
          out += '(?=\\n?(?![\\s\\S]))';
          i += 2;
          continue;
        }
        if (d === 'R') {
          out += '(?:\\r\\n|\\n|\\r|\\x0b|\\f|\\x85)';
          i += 2;
          continue;
        }
        if (d === 'G' || d === 'K' || d === 'X' || d === 'C')
          return { ok: false, message: `\\${d} has no JavaScript equivalent` };
      }
      if (d === 'h') {
        out += inClass ? ' \\t' : '[ \\t]';
        i += 2;
        continue;
      }
      if (d === 'H' && !inClass) {
        out += '[^ \\t]';
        i += 2;
        continue;
      }
      if (d === 'e') {
        out += '\\x1b';
        i += 2;
        continue;
      }
      if (d === 'p' || d === 'P') return { ok: false, message: `\\${d}{…} Unicode properties are not supported` };
      if (d === 'x' && p[i + 2] === '{') {
        const e = p.indexOf('}', i + 3);
        const hex = e < 0 ? '' : p.slice(i + 3, e);
        if (!/^[0-9A-Fa-f]{1,4}$/.test(hex)) return { ok: false, message: `\\x{${hex}} is not supported` };
        out += `\\u${hex.padStart(4, '0')}`;
        i = e + 1;
        continue;
      }
      out += c + d;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[' && p[i + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(i));
        if (m) {
          const cls = POSIX[m[2]!];
          if (!cls || m[1]) return { ok: false, message: `POSIX class [:${m[1]}${m[2]}:] is not supported` };
          out += cls;
          i += m[0].length;
          continue;
        }
      }
      if (c === '[') {
        out += '\\[';
        i++;
        continue;
      }
      if (c === ']') inClass = false;
      out += c;
      i++;
      continue;
    }
    if (extended) {
      if (/\s/.test(c)) {
        i++;
        continue;
      }
      if (c === '#') {
        while (i < n && p[i] !== '\n') i++;
        continue;
      }
    }
    if (c === '[') {
      inClass = true;
      out += c;
      i++;
      // A `]` right after `[` or `[^` is a literal in PCRE.
      if (p[i] === '^') {
        out += '^';
        i++;
      }
      if (p[i] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && p[i + 1] === '?') {
      const rest = p.slice(i + 2, i + 4);
      if (rest.startsWith('P<')) {
        out += '(?<';
        i += 4;
        continue;
      }
      if (rest.startsWith('P=')) {
        const e = p.indexOf(')', i);
        if (e < 0) return { ok: false, message: 'unclosed (?P=name)' };
        out += `\\k<${p.slice(i + 4, e)}>`;
        i = e + 1;
        continue;
      }
      if (rest.startsWith('#')) {
        const e = p.indexOf(')', i);
        i = e < 0 ? n : e + 1;
        continue;
      }
      if (rest.startsWith("'")) {
        const e = p.indexOf("'", i + 3);
        if (e < 0) return { ok: false, message: "unclosed (?'name'" };
        out += `(?<${p.slice(i + 3, e)}>`;
        i = e + 1;
        continue;
      }
      const next = p[i + 2] ?? '';
      if (next === ':' || next === '=' || next === '!' || (next === '<' && /[=!A-Za-z_]/.test(p[i + 3] ?? ''))) {
        out += '(?';
        i += 2;
        continue;
      }
      if (next === '>') return { ok: false, message: 'atomic groups (?>…) have no JavaScript equivalent' };
      if (next === '|') return { ok: false, message: 'branch reset groups (?|…) have no JavaScript equivalent' };
      if (next === '(') return { ok: false, message: 'conditional groups (?(…)…) have no JavaScript equivalent' };
      if (next === 'R' || /\d|[+-]/.test(next) || next === '&' || rest.startsWith('P>'))
        return { ok: false, message: 'recursive patterns have no JavaScript equivalent' };
      return { ok: false, message: `inline option or group (?${p.slice(i + 2, i + 6)}… has no JavaScript equivalent` };
    }
    if ((c === '*' || c === '+' || c === '?' || c === '}') && p[i + 1] === '+') {
      return { ok: false, message: 'possessive quantifiers have no JavaScript equivalent' };
    }
    if (c === '$' && !multiline) {
      out += '(?=\\n?$)';
      i++;
      continue;
    }
    if (c === '.' && !dotAll) {
      out += '[^\\n]';
      i++;
      continue;
    }
    out += c;
    i++;
  }
  const f = [...flags].filter((x) => 'ims'.includes(x)).join('');
  return { ok: true, source: out, flags: f };
}

const cache = new Map<string, RegExp | string>();
const CACHE_LIMIT = 2000;

/**
 * A compiled PCRE pattern (cached), or the reason it cannot run on JavaScript's engine.
 * `flags` are added to the translation's (e.g. `g`).
 */
export function compilePcre(pattern: string, flags = ''): RegExp | { error: string } {
  const key = `${flags}\u0000${pattern}`;
  const hit = cache.get(key);
  if (hit !== undefined) return typeof hit === 'string' ? { error: hit } : hit;
  const t = translatePcre(pattern);
  let result: RegExp | string;
  if (!t.ok) result = t.message;
  else {
    try {
      result = new RegExp(t.source, [...new Set(t.flags + flags)].join(''));
    } catch (e) {
      result = `not a valid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`;
    }
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, result);
  return typeof result === 'string' ? { error: result } : result;
}
