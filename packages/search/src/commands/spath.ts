/**
 * `spath [input=<field>] [output=<field>] [path=]<path>` — extracts from JSON or XML.
 * Facts (Search Reference, spath; limits.conf [spath]):
 * - `input` defaults to `_raw`; without a path spath auto-extracts every field of the first
 *   5000 characters (`extraction_cutoff`): JSON keys joined with `.`, arrays as `{}`
 *   (`a.b{}.c`), XML elements joined with `.` and attributes as `{@name}`;
 * - with a path the value goes to `output` (default: the path itself); a path step `{}` takes
 *   every array element, `{N}` element N (counted from 1 [unverified]); an object or array value
 *   comes out as its JSON text; several values make a multivalue field;
 * - input that is not JSON or XML extracts nothing and leaves the row as it is.
 */
import { type GenericCommand, jsonPath } from '@dac/spl';
import { XMLParser } from 'fast-xml-parser';
import { optionsOf, wordsOf } from '../args.js';
import type { CommandModule } from '../command.js';
import type { Row, Scalar } from '../types.js';
import { normaliseList, text, valuesOf } from '../values.js';

/** limits.conf [spath] extraction_cutoff: auto-extraction reads this many characters. */
export const SPATH_EXTRACTION_CUTOFF = 5000;
/** Index of the first array element in a path step `{N}` (see the module comment). */
export const SPATH_ARRAY_INDEX_BASE = 1;

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: () => true,
  textNodeName: '#text',
  processEntities: true,
});

type Flat = Map<string, Scalar[]>;

function add(out: Flat, k: string, v: Scalar): void {
  let l = out.get(k);
  if (!l) out.set(k, (l = []));
  l.push(v);
}

function jsonLeaf(v: unknown): Scalar {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return text(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return 'null';
}

function flattenJson(v: unknown, prefix: string, out: Flat, depth: number): void {
  if (depth > 100) return;
  if (Array.isArray(v)) {
    for (const x of v) flattenJson(x, `${prefix}{}`, out, depth + 1);
    return;
  }
  if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) flattenJson(x, prefix ? `${prefix}.${k}` : k, out, depth + 1);
    return;
  }
  if (prefix) add(out, prefix, jsonLeaf(v));
}

function flattenXml(node: unknown, prefix: string, out: Flat, depth: number): void {
  if (depth > 100) return;
  if (typeof node === 'string') {
    if (prefix && node !== '') add(out, prefix, node);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [k, vals] of Object.entries(node as Record<string, unknown[]>)) {
    if (k === '#text') {
      for (const t of vals as unknown[]) if (typeof t === 'string' && t !== '' && prefix) add(out, prefix, t);
      continue;
    }
    if (k.startsWith('@')) {
      for (const a of vals as unknown[]) add(out, `${prefix}{${k}}`, String(a));
      continue;
    }
    if (k.startsWith('?')) continue;
    for (const child of vals as unknown[]) flattenXml(child, prefix ? `${prefix}.${k}` : k, out, depth + 1);
  }
}

type Doc = { kind: 'json'; value: unknown } | { kind: 'xml'; value: unknown };

function parseDoc(s: string): Doc | undefined {
  const t = s.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return { kind: 'json', value: JSON.parse(s) };
    } catch {
      return undefined;
    }
  }
  if (t.startsWith('<')) {
    try {
      return { kind: 'xml', value: xml.parse(s) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The values at an spath path in an XML document (`a.b{@attr}`, `a.b{2}`). */
function xmlPath(doc: unknown, path: string): Scalar[] {
  let cur: unknown[] = [doc];
  const steps = path.match(/[^.{}]+|\{[^}]*\}/g) ?? [];
  for (const step of steps) {
    const next: unknown[] = [];
    if (step.startsWith('{@')) {
      const a = `@${step.slice(2, -1)}`;
      for (const c of cur)
        if (c && typeof c === 'object') for (const v of (c as Record<string, unknown[]>)[a] ?? []) next.push(String(v));
      cur = next;
      continue;
    }
    if (step.startsWith('{')) {
      const k = Number(step.slice(1, -1));
      cur =
        Number.isInteger(k) && k - SPATH_ARRAY_INDEX_BASE >= 0 && k - SPATH_ARRAY_INDEX_BASE < cur.length
          ? [cur[k - SPATH_ARRAY_INDEX_BASE]]
          : step === '{}'
            ? cur
            : [];
      continue;
    }
    for (const c of cur)
      if (c && typeof c === 'object') for (const v of (c as Record<string, unknown[]>)[step] ?? []) next.push(v);
    cur = next;
  }
  const out: Scalar[] = [];
  for (const c of cur) {
    if (typeof c === 'string') out.push(c);
    else if (c && typeof c === 'object') {
      const t = (c as Record<string, unknown[]>)['#text'];
      if (t) out.push(t.map(String).join(''));
    }
  }
  return out;
}

/**
 * The first SPATH_EXTRACTION_CUTOFF characters as a parseable document: a JSON text cut inside
 * is closed after its last complete value (Splunk's streaming extractor likewise yields the
 * fields it read before the cutoff).
 */
export function cutoff(s: string): string {
  if (s.length <= SPATH_EXTRACTION_CUTOFF) return s;
  const t = s.slice(0, SPATH_EXTRACTION_CUTOFF);
  const first = t.trimStart()[0];
  if (first !== '{' && first !== '[') return t;
  const stack: string[] = [];
  let inString = false;
  let safe = -1;
  let safeStack: string[] = [];
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') stack.push(c);
    else if (c === '}' || c === ']') {
      stack.pop();
      safe = i + 1;
      safeStack = [...stack];
    } else if (c === ',') {
      safe = i;
      safeStack = [...stack];
    }
  }
  if (safe < 0) return t;
  let out = t.slice(0, safe);
  for (let k = safeStack.length - 1; k >= 0; k--) out += safeStack[k] === '{' ? '}' : ']';
  return out;
}

function jsonText(v: unknown): Scalar {
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return jsonLeaf(v);
}

export const spath: CommandModule<GenericCommand> = {
  names: ['spath'],
  prepare(cmd, ctx) {
    const o = optionsOf(cmd.args);
    for (const [k, v] of o)
      if (!['input', 'output', 'path'].includes(k)) return ctx.error(v.span, `spath: unknown option ${k}=`);
    const ws = wordsOf(cmd.args);
    if (ws.length > 1) return ctx.error(ws[1]!.span, 'spath: expected at most one path');
    const input = o.get('input')?.value ?? '_raw';
    const path = o.get('path')?.value ?? ws[0]?.value;
    const output = o.get('output')?.value ?? path;
    return {
      name: 'spath',
      span: cmd.spanOfCommand,
      kind: 'streaming',
      stage(next) {
        return {
          push(row: Row) {
            const vs = valuesOf(row[input]);
            if (vs.length > 0) {
              if (path === undefined) {
                const flat: Flat = new Map();
                for (const v of vs) {
                  const doc = parseDoc(cutoff(text(v)));
                  if (!doc) continue;
                  if (doc.kind === 'json') flattenJson(doc.value, '', flat, 0);
                  else flattenXml(doc.value, '', flat, 0);
                }
                for (const [k, l] of flat) row[k] = normaliseList(l);
              } else {
                const got: Scalar[] = [];
                for (const v of vs) {
                  const doc = parseDoc(text(v));
                  if (!doc) continue;
                  if (doc.kind === 'json')
                    for (const x of jsonPath(doc.value, path, SPATH_ARRAY_INDEX_BASE)) got.push(jsonText(x));
                  else got.push(...xmlPath(doc.value, path));
                }
                if (got.length > 0) row[output!] = normaliseList(got);
              }
            }
            next.push(row);
          },
          end: () => next.end(),
        };
      },
    };
  },
};
