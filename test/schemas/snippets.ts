// What an editor inserts for a schema's `defaultSnippets` entry, so tests can check that the
// result is valid content. Two steps, each following the tool that does it:
// 1. yaml-language-server turns `body` into YAML text (src/languageservice/utils/json.ts
//    stringifyObject, with the replacer of yamlCompletion.ts getInsertTextForSnippetValue): block
//    mappings and sequences, scalars written *raw* (a string is not quoted: "'2024-01-01'" is how a
//    body asks for a quoted date), "^x" written as x, the strings true/false quoted.
// 2. The editor expands the text as a VS Code snippet (TextMate snippet syntax): ${1:default}
//    placeholders, ${1|a,b|} choices, $1 tab stops, variables (UUID, CURRENT_YEAR, CURRENT_MONTH,
//    CURRENT_DATE), transforms ${1/regex/format/flags}, and \$ \} \\ escapes. Here each
//    placeholder keeps its default and each choice its first option, as when an author only tabs
//    through.
import { randomUUID } from 'node:crypto';

/** The YAML text yaml-language-server inserts for a snippet body (before snippet expansion). */
export function renderSnippetBody(body: unknown, indent = ''): string {
  if (Array.isArray(body)) {
    return body
      .map((item) => {
        if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
          const inner = renderSnippetBody(item, `${indent}  `).split('\n');
          return `${indent}- ${inner[0]!.slice(indent.length + 2)}${inner.length > 1 ? `\n${inner.slice(1).join('\n')}` : ''}`;
        }
        return `${indent}- ${literal(item)}`;
      })
      .join('\n');
  }
  if (body !== null && typeof body === 'object') {
    return Object.entries(body as Record<string, unknown>)
      .map(([k, v]) =>
        v !== null && typeof v === 'object'
          ? `${indent}${k}:\n${renderSnippetBody(v, `${indent}  `)}`
          : `${indent}${k}: ${literal(v)}`,
      )
      .join('\n');
  }
  return literal(body);
}

function literal(v: unknown): string {
  if (typeof v === 'string') {
    if (v.startsWith('^')) return v.slice(1);
    if (v === 'true' || v === 'false') return `"${v}"`;
    return v;
  }
  return String(v);
}

/** Expands VS Code snippet syntax as an author who only presses Tab would get it. */
export function expandSnippet(text: string, now = new Date()): string {
  const variables: Record<string, string> = {
    UUID: randomUUID(),
    CURRENT_YEAR: String(now.getUTCFullYear()),
    CURRENT_MONTH: String(now.getUTCMonth() + 1).padStart(2, '0'),
    CURRENT_DATE: String(now.getUTCDate()).padStart(2, '0'),
  };
  const values = new Map<string, string>();
  // First pass: the value of every tab stop (its default or first choice), for transforms.
  expand(text, variables, values, false);
  return expand(text, variables, values, true);
}

function expand(text: string, variables: Record<string, string>, values: Map<string, string>, final: boolean): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length && '$}\\,|'.includes(text[i + 1]!)) {
      out += text[i + 1];
      i += 2;
      continue;
    }
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const simple = /^\$(\d+|[_a-zA-Z][_a-zA-Z0-9]*)/.exec(text.slice(i));
    if (simple) {
      out += /^\d/.test(simple[1]!) ? (values.get(simple[1]!) ?? '') : variable(simple[1]!, variables);
      i += simple[0].length;
      continue;
    }
    if (text[i + 1] !== '{') throw new Error(`snippet: bare $ at ${i} (write \\$): ${text.slice(i, i + 30)}`);
    const end = closingBrace(text, i + 2);
    const inner = text.slice(i + 2, end);
    i = end + 1;
    const m = /^(\d+|[_a-zA-Z][_a-zA-Z0-9]*)([:|/]?)/.exec(inner);
    if (!m) throw new Error(`snippet: cannot read \${${inner}}`);
    const [head, name, kind] = m;
    const rest = inner.slice(head.length);
    if (kind === '') out += /^\d/.test(name!) ? (values.get(name!) ?? '') : variable(name!, variables);
    else if (kind === ':') {
      const value = expand(rest, variables, values, final);
      if (/^\d/.test(name!)) values.set(name!, value);
      out += value;
    } else if (kind === '|') {
      const option = unescapeChoice(rest.slice(0, rest.lastIndexOf('|')).split(/(?<!\\),/)[0]!);
      values.set(name!, option);
      out += option;
    } else {
      if (!final) continue;
      out += transform(values.get(name!) ?? '', rest);
    }
  }
  return out;
}

function variable(name: string, variables: Record<string, string>): string {
  const v = variables[name];
  // VS Code inserts an unknown variable's name as a placeholder: a `$token$` that lost its escapes.
  if (v === undefined) throw new Error(`snippet: unknown variable $${name} (escape a literal $ as \\$)`);
  return v;
}

function unescapeChoice(s: string): string {
  return s.replace(/\\([,|\\$}])/g, '$1');
}

/** Index of the `}` closing a `${` whose body starts at `from` (nesting and escapes honoured). */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let j = from; j < text.length; j++) {
    if (text[j] === '\\') {
      j++;
      continue;
    }
    if (text[j] === '$' && text[j + 1] === '{') {
      depth++;
      j++;
    } else if (text[j] === '}' && --depth === 0) return j;
  }
  throw new Error(`snippet: unclosed \${ at ${from - 2}`);
}

/** `regex/format/flags` applied to a tab stop's value (format: $n, ${n}, ${n:/downcase|upcase}, ${n:+if}, ${n:-else}). */
function transform(value: string, spec: string): string {
  // regex up to the first unescaped /, options after the last /; the format between may hold / (`${1:/downcase}`).
  const cut = /(?<!\\)\//.exec(spec)?.index ?? -1;
  const last = spec.lastIndexOf('/');
  if (cut < 0 || last <= cut) throw new Error(`snippet: cannot read transform /${spec}`);
  const [source, format, flags] = [spec.slice(0, cut), spec.slice(cut + 1, last), spec.slice(last + 1)];
  const re = new RegExp(source.replace(/\\\//g, '/'), flags);
  return value.replace(re, (...args: unknown[]) => {
    const groups = args.slice(0, -2) as (string | undefined)[];
    return format.replace(/\$(\d+)|\$\{(\d+)(?::([/+\-?])?([^}]*))?\}/g, (_m, a, b, op, arg: string) => {
      const g = groups[Number(a ?? b)];
      if (a !== undefined || op === undefined) return g ?? '';
      if (op === '/') {
        if (arg === 'downcase') return (g ?? '').toLowerCase();
        if (arg === 'upcase') return (g ?? '').toUpperCase();
        throw new Error(`snippet: unknown format ${arg}`);
      }
      if (op === '+') return g ? arg : '';
      return g ? g : arg;
    });
  });
}
