import type { Literal, SearchExpr, Span } from './ast.js';
import { MAX_WHERE_DEPTH } from '@dac/cim';
import { isTimeModifier, type SearchCommand } from '@dac/spl';
import {
  docText,
  generatedHeader,
  matcherModuleHeader,
  OP_HELPER,
  propertyAccess,
  propertyName,
  RUNTIME_IMPORT,
  tsString,
} from './generate.js';
import type { MatcherDiagnostic } from './types.js';

/**
 * Matchers for raw-event base searches: the search expression before the first pipe
 * (`` `sysmon` EventCode=10 TargetImage=*lsass.exe GrantedAccess IN (…) ``) compiled to a typed
 * TypeScript `match(event)`, with the same design as the tstats matchers (generate.ts): every
 * literal through `tsString`, helpers imported from ./runtime.js, one leaf per line with its
 * `// @spl a:b` marker, one program type-checks them all.
 *
 * Typing: the event type is the field table of the input streams the search can read — the
 * streams whose `sourcetype`/`source`/`eventtype` the expression does not exclude (three-valued
 * evaluation over what is fixed per stream); a field the tables do not list is
 * `string | undefined`. The tables are data the caller supplies (the add-on tables of
 * @dac/normalise, wired in by the CLI/replay: this package does not know that sibling).
 *
 * Generation never recurses per term or per nesting level: the expression is flattened
 * (AND of AND, OR of OR, NOT NOT) and emitted with an explicit stack, so a 1,000-term clause
 * compiles; nesting deeper than MAX_WHERE_DEPTH is reported (`matcher-unsupported`).
 */

/** Bumped when the generated shape of raw-search matchers changes; part of their cache key. */
export const SEARCH_GENERATOR_VERSION = 's1';

/** One field of a stream's field table. */
export interface StreamField {
  name: string;
  multivalue?: boolean;
  /** `number` for `_time`; else string. */
  type?: 'string' | 'number';
}

/**
 * The fields a search sees on one input stream (a sourcetype, optionally one source of it), from
 * the add-on tables. `known`: fields fixed for the whole stream (`sourcetype`, `source`,
 * `Channel`; null = absent); `excluded`: values a field cannot have on this stream (the generic
 * XmlWinEventLog stream is none of the specific sources); `eventtypes`: those that can occur.
 */
export interface StreamFieldTable {
  /** Identifier-ish name, unique among the tables: `XmlWinEventLog_Security`. */
  name: string;
  sourcetype: string;
  source?: string;
  known?: Readonly<Record<string, string | null>>;
  excluded?: Readonly<Record<string, readonly string[]>>;
  eventtypes?: readonly string[];
  /**
   * The sources this stream's events can have (`*` wildcards: `XmlWinEventLog:*`); absent: any
   * source that no other table claims.
   */
  sources?: readonly string[];
  fields: readonly StreamField[];
  /** Where the facts come from (add-ons and versions), for the doc comment. */
  origin: string;
}

/** The default fields every event has (Knowledge Manager Manual, "Use default fields"). */
export const DEFAULT_SEARCH_FIELDS: readonly StreamField[] = [
  { name: '_time', type: 'number' },
  { name: '_raw' },
  { name: 'host' },
  { name: 'source' },
  { name: 'sourcetype' },
  { name: 'index' },
  { name: 'linecount' },
  { name: 'punct' },
  { name: 'eventtype', multivalue: true },
  { name: 'tag', multivalue: true },
];

/** Interface name of a stream table: `XmlWinEventLogSecurityEvent` (sanitised; never a keyword). */
export function streamInterfaceName(t: StreamFieldTable): string {
  return `${t.name.replace(/[^A-Za-z0-9_]/g, '')}StreamEvent`;
}

/** Import specifier of a stream table's interface module: `./streams/XmlWinEventLog_Security.js`. */
export function streamTypesModule(t: StreamFieldTable): string {
  return `./streams/${t.name.replace(/[^A-Za-z0-9_]/g, '_')}.js`;
}

function fieldType(f: StreamField): string {
  if (f.type === 'number') return 'number';
  return f.multivalue ? 'string | readonly string[]' : 'string';
}

const streamTypesCache = new WeakMap<StreamFieldTable, string>();

/** The module declaring one stream's event interface: one optional readonly property per field. */
export function generateStreamTypesSource(t: StreamFieldTable): string {
  let text = streamTypesCache.get(t);
  if (text) return text;
  const seen = new Set<string>();
  const props: string[] = [];
  for (const f of [...DEFAULT_SEARCH_FIELDS, ...t.fields]) {
    if (seen.has(f.name)) continue;
    seen.add(f.name);
    props.push(`  readonly ${propertyName(f.name)}?: ${fieldType(f)};`);
  }
  const doc = docText(
    `Fields of input stream sourcetype=${t.sourcetype}${t.source ? ` source=${t.source}` : ''} as the search sees them (${t.origin}).`,
  );
  text = `${generatedHeader('the add-on field tables (@dac/normalise)')}\n/** ${doc} */\nexport interface ${streamInterfaceName(t)} {\n${props.join('\n')}\n}\n`;
  // Every name and text above went through tsString/docText; the module must still parse.
  streamTypesCache.set(t, text);
  return text;
}

// ------------------------------------------------------------------------- expression walking

/**
 * Flattens an expression without recursion: `and` inside `and` and `or` inside `or` are merged,
 * `NOT NOT x` is `x`, one-operand `and`/`or` is the operand. Returns the depth of the result.
 */
export function flattenSearch(expr: SearchExpr): { expr: SearchExpr; depth: number } {
  // Post-order with an explicit stack: each node is rebuilt after its children.
  type Frame = { node: SearchExpr; done: boolean };
  const out = new Map<SearchExpr, { expr: SearchExpr; depth: number }>();
  const stack: Frame[] = [{ node: expr, done: false }];
  while (stack.length > 0) {
    const f = stack.pop()!;
    const e = f.node;
    if (!f.done && (e.kind === 'and' || e.kind === 'or' || e.kind === 'not')) {
      stack.push({ node: e, done: true });
      if (e.kind === 'not') stack.push({ node: e.arg, done: false });
      else for (const a of e.args) stack.push({ node: a, done: false });
      continue;
    }
    if (e.kind === 'and' || e.kind === 'or') {
      const args: SearchExpr[] = [];
      let depth = 0;
      for (const a of e.args) {
        const r = out.get(a)!;
        if (r.expr.kind === e.kind) args.push(...r.expr.args);
        else args.push(r.expr);
        depth = Math.max(depth, r.expr.kind === e.kind ? r.depth - 1 : r.depth);
      }
      out.set(e, args.length === 1 ? { expr: args[0]!, depth } : { expr: { ...e, args }, depth: depth + 1 });
    } else if (e.kind === 'not') {
      const r = out.get(e.arg)!;
      out.set(
        e,
        r.expr.kind === 'not'
          ? { expr: r.expr.arg, depth: r.depth - 1 }
          : { expr: { ...e, arg: r.expr }, depth: r.depth + 1 },
      );
    } else out.set(e, { expr: e, depth: 0 });
  }
  return out.get(expr)!;
}

type Tri = 0 | 1 | 2; // false, unknown, true

/** Case-insensitive whole-value `*` glob (the search language's value match). */
function globLower(value: string, pattern: string): boolean {
  const v = value.toLowerCase();
  const parts = pattern.toLowerCase().split('*');
  if (parts.length === 1) return v === parts[0];
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (v.length < first.length + last.length || !v.startsWith(first) || !v.endsWith(last)) return false;
  let pos = first.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const j = v.indexOf(parts[i]!, pos);
    if (j < 0 || j + parts[i]!.length > v.length - last.length) return false;
    pos = j + parts[i]!.length;
  }
  return true;
}

/** Whether an expression can be true on a stream, decided by what is fixed for it (no recursion). */
export function streamMayMatch(
  expr: SearchExpr,
  t: StreamFieldTable,
  /** Source patterns the other tables claim (a source of theirs is none of this stream's). */
  claimed: readonly string[] = [],
): boolean {
  const known: Record<string, string | null> = {
    sourcetype: t.sourcetype,
    ...(t.source !== undefined ? { source: t.source } : {}),
    ...(t.known ?? {}),
  };
  const leaf = (field: string, values: readonly Literal[], op: string): Tri => {
    if (field === 'eventtype' && Array.isArray(t.eventtypes) && op === '=') {
      return values.some(
        (v) => v.value.includes('*') || t.eventtypes!.some((e) => e.toLowerCase() === v.value.toLowerCase()),
      )
        ? 1
        : 0;
    }
    if (op !== '=' && op !== '!=') return 1;
    const lower = (s: string) => s.toLowerCase();
    if (Object.hasOwn(known, field)) {
      const k = known[field];
      if (k === null) return 0;
      if (values.some((v) => v.value.includes('*'))) return 1;
      const exact = values.some((v) => lower(v.value) === lower(k));
      if (op === '=') return exact ? 2 : 0;
      return exact ? 0 : 2;
    }
    if (field === 'source' && op === '=' && values.every((v) => !v.value.includes('*'))) {
      const mine = t.sources;
      const anyOf = (pats: readonly string[], v: string) => pats.some((p) => globLower(v, p));
      if (mine && values.every((v) => !anyOf(mine, v.value))) return 0;
      if (!mine && values.every((v) => anyOf(claimed, v.value))) return 0;
    }
    const ex = t.excluded && Object.hasOwn(t.excluded, field) ? t.excluded[field] : undefined;
    if (ex && op === '=' && values.every((v) => !v.value.includes('*') && ex.some((x) => lower(x) === lower(v.value))))
      return 0;
    return 1;
  };
  const vals = new Map<SearchExpr, Tri>();
  const stack: { node: SearchExpr; done: boolean }[] = [{ node: expr, done: false }];
  while (stack.length > 0) {
    const f = stack.pop()!;
    const e = f.node;
    if (!f.done && (e.kind === 'and' || e.kind === 'or' || e.kind === 'not')) {
      stack.push({ node: e, done: true });
      if (e.kind === 'not') stack.push({ node: e.arg, done: false });
      else for (const a of e.args) stack.push({ node: a, done: false });
      continue;
    }
    let v: Tri;
    switch (e.kind) {
      case 'and':
        v = e.args.reduce<Tri>((acc, a) => Math.min(acc, vals.get(a)!) as Tri, 2);
        break;
      case 'or':
        v = e.args.reduce<Tri>((acc, a) => Math.max(acc, vals.get(a)!) as Tri, 0);
        break;
      case 'not':
        v = (2 - vals.get(e.arg)!) as Tri;
        break;
      case 'compare':
        v = isTimeModifier(e.field) ? 2 : leaf(e.field, [e.value], e.op);
        break;
      case 'in':
        v = leaf(e.field, e.values, '=');
        break;
      default:
        v = 1;
    }
    vals.set(e, v);
  }
  return vals.get(expr) !== 0;
}

// ------------------------------------------------------------------------------- generation

interface Line {
  indent: number;
  text: string;
  span?: Span;
}

/** Most operands of one generated `&&`/`||` chain (see the emitter). */
const CHAIN_LIMIT = 64;

export interface GeneratedSearchMatcher {
  source?: string;
  /** The stream tables the event type is made of (empty: default fields only). */
  streams: string[];
  /** Fields read that no selected table lists (typed `string | undefined`). */
  unknownFields: string[];
  diagnostics: MatcherDiagnostic[];
}

/**
 * Generates the matcher module of a raw base search (`search` command over events). `tables`:
 * the stream field tables to type it with.
 */
export function generateSearchMatcher(
  id: string,
  search: SearchCommand,
  tables: readonly StreamFieldTable[] = [],
): GeneratedSearchMatcher {
  const diagnostics: MatcherDiagnostic[] = [];
  const patterns = new Map<string, string>();
  const lists = new Map<string, { name: string; values: string[] }>();
  const terms = new Map<string, string>();
  const helpers = new Set<string>();
  const fieldsRead = new Set<string>();
  const body: Line[] = [];
  const cmdSpan = search.spanOfCommand;

  const patternRef = (v: Literal): string => {
    const init = v.caseSensitive ? `pattern(${tsString(v.value)}, true)` : `pattern(${tsString(v.value)})`;
    let name = patterns.get(init);
    if (!name) patterns.set(init, (name = `P${patterns.size}`));
    helpers.add('pattern');
    return name;
  };
  const listRef = (values: Literal[]): string => {
    const items = values.map((v) => (v.caseSensitive ? `pattern(${tsString(v.value)}, true)` : tsString(v.value)));
    if (values.some((v) => v.caseSensitive)) helpers.add('pattern');
    const key = items.join('\n');
    let l = lists.get(key);
    if (!l) lists.set(key, (l = { name: `L${lists.size}`, values: items }));
    helpers.add('list');
    return l.name;
  };
  const termRef = (v: Literal): string => {
    const init = v.caseSensitive ? `term(${tsString(v.value)}, true)` : `term(${tsString(v.value)})`;
    let name = terms.get(init);
    if (!name) terms.set(init, (name = `T${terms.size}`));
    helpers.add('term');
    helpers.add('hasTerm');
    return name;
  };
  const unsupported = (span: Span, message: string) =>
    diagnostics.push({ ...span, severity: 'error', rule: 'matcher-unsupported', message });

  let expr: SearchExpr | undefined;
  if (search.expr) {
    const flat = flattenSearch(search.expr);
    if (flat.depth > MAX_WHERE_DEPTH) {
      unsupported(search.expr.span, `search expression nested deeper than ${MAX_WHERE_DEPTH} levels`);
    } else expr = flat.expr;
  }

  // Emission with an explicit stack: a task is a node to emit (with its indent and the operator
  // that joins it to the next operand) or a closing line.
  type Task = { node: SearchExpr; indent: number; sfx: string } | { close: string; indent: number };
  const stack: Task[] = expr ? [{ node: expr, indent: 2, sfx: '' }] : [];
  if (!expr && diagnostics.length === 0) body.push({ indent: 2, text: 'true' });
  while (stack.length > 0) {
    const task = stack.pop()!;
    if ('close' in task) {
      body.push({ indent: task.indent, text: task.close });
      continue;
    }
    const { node: e, indent } = task;
    const sfx = task.sfx ? ` ${task.sfx}` : '';
    switch (e.kind) {
      case 'and':
      case 'or': {
        if (e.args.length === 0) {
          body.push({ indent, text: `${e.kind === 'and' ? 'true' : 'false'}${sfx}`, span: e.span });
          break;
        }
        const op = e.kind === 'and' ? '&&' : '||';
        // TypeScript's binder recurses once per operand of a `&&`/`||` chain: long chains are
        // split into parenthesised groups of CHAIN_LIMIT operands (same value, shallow trees).
        if (e.args.length > CHAIN_LIMIT) {
          let args = e.args;
          while (args.length > CHAIN_LIMIT) {
            const groups: SearchExpr[] = [];
            for (let i = 0; i < args.length; i += CHAIN_LIMIT)
              groups.push({ kind: e.kind, args: args.slice(i, i + CHAIN_LIMIT), span: e.span } as SearchExpr);
            args = groups;
          }
          stack.push({ node: { ...e, args }, indent, sfx: task.sfx });
          break;
        }
        body.push({ indent, text: '(' });
        stack.push({ close: `)${sfx}`, indent });
        for (let i = e.args.length - 1; i >= 0; i--)
          stack.push({ node: e.args[i]!, indent: indent + 1, sfx: i < e.args.length - 1 ? op : '' });
        break;
      }
      case 'not':
        body.push({ indent, text: '!(' });
        stack.push({ close: `)${sfx}`, indent });
        stack.push({ node: e.arg, indent: indent + 1, sfx: '' });
        break;
      case 'compare': {
        // Time modifiers set the search's time range; they are no field test (as the interpreters).
        if (isTimeModifier(e.field)) {
          body.push({ indent, text: `true${sfx}`, span: e.span });
          break;
        }
        const helper = OP_HELPER[e.op];
        if (!helper) {
          unsupported(e.span, `comparison operator ${e.op} is not supported`);
          body.push({ indent, text: `false${sfx}`, span: e.span });
          break;
        }
        helpers.add(helper);
        fieldsRead.add(e.field);
        body.push({
          indent,
          text: `${helper}(${propertyAccess('event', e.field)}, ${patternRef(e.value)})${sfx}`,
          span: e.span,
        });
        break;
      }
      case 'in':
        fieldsRead.add(e.field);
        if (e.values.length === 0) body.push({ indent, text: `false${sfx}`, span: e.span });
        else {
          helpers.add('inList');
          body.push({
            indent,
            text: `inList(${propertyAccess('event', e.field)}, ${listRef(e.values)})${sfx}`,
            span: e.span,
          });
        }
        break;
      case 'term':
        if (/^\*+$/.test(e.value.value)) body.push({ indent, text: `true${sfx}`, span: e.span });
        else {
          fieldsRead.add('_raw');
          body.push({ indent, text: `hasTerm(event._raw, ${termRef(e.value)})${sfx}`, span: e.span });
        }
        break;
      case 'subsearch':
        unsupported(
          e.span,
          'a [subsearch] in the base search is computed at run time (the search engine runs it); no matcher is generated',
        );
        body.push({ indent, text: `false${sfx}`, span: e.span });
        break;
    }
  }

  const claimed = tables.flatMap((t) => t.sources ?? []);
  const selected = expr ? tables.filter((t) => streamMayMatch(expr, t, claimed)) : [...tables];
  const listed = (t: StreamFieldTable, f: string) =>
    DEFAULT_SEARCH_FIELDS.some((d) => d.name === f) || t.fields.some((x) => x.name === f);
  const unknownFields = [...fieldsRead].filter((f) =>
    selected.length === 0 ? !DEFAULT_SEARCH_FIELDS.some((d) => d.name === f) : !selected.every((t) => listed(t, f)),
  );
  const streams = selected.map((t) => t.name);
  if (diagnostics.some((d) => d.severity === 'error')) return { streams, unknownFields, diagnostics };

  const lines: string[] = [];
  lines.push(matcherModuleHeader('a raw-event base search', cmdSpan));
  const runtimeHelpers = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'inList', 'pattern', 'list', 'hasTerm', 'term'].filter(
    (h) => helpers.has(h),
  );
  if (runtimeHelpers.length > 0)
    lines.push(`import { ${runtimeHelpers.join(', ')} } from ${tsString(RUNTIME_IMPORT)};`);
  for (const t of selected)
    lines.push(`import type { ${streamInterfaceName(t)} } from ${tsString(streamTypesModule(t))};`);
  lines.push('');
  lines.push('/** The detection this matcher was generated for. */');
  lines.push(`export const id: string = ${tsString(id)};`);
  lines.push('/** The input streams (add-on field tables) the base search can read. */');
  lines.push(`export const streams: readonly string[] = [${streams.map(tsString).join(', ')}];`);
  const base =
    selected.length === 0
      ? `{ ${DEFAULT_SEARCH_FIELDS.map((f) => `readonly ${propertyName(f.name)}?: ${fieldType(f)};`).join(' ')} }`
      : selected.length === 1
        ? streamInterfaceName(selected[0]!)
        : `(${selected.map(streamInterfaceName).join(' | ')})`;
  const extra = unknownFields.map((f) => `  readonly ${propertyName(f)}?: string;`);
  lines.push("/** The event: the streams' fields; a field their tables do not list is string | undefined. */");
  lines.push(
    extra.length > 0
      ? `export type SearchEvent = ${base} & {\n${extra.join('\n')}\n};`
      : `export type SearchEvent = ${base};`,
  );
  for (const [init, name] of patterns) lines.push(`const ${name} = ${init};`);
  for (const { name, values } of lists.values()) lines.push(`const ${name} = list([${values.join(', ')}]);`);
  for (const [init, name] of terms) lines.push(`const ${name} = ${init};`);
  lines.push('');
  lines.push('/** True when the event satisfies the base search (Splunk search semantics, see runtime.ts). */');
  lines.push('export function match(event: SearchEvent): boolean {');
  lines.push('  return (');
  for (const l of body)
    lines.push(`${'  '.repeat(l.indent)}${l.text}${l.span ? ` // @spl ${l.span.start}:${l.span.end}` : ''}`);
  lines.push('  );');
  lines.push('}');
  // The text is written line by line (every value through tsString); ts-morph type-checks and
  // emits it with the tstats matchers in one program (compile.ts).
  return { source: `${lines.join('\n')}\n`, streams, unknownFields, diagnostics };
}
