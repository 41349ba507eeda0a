/**
 * The Handlebars environment for app templates (`templates/*.hbs`, located by @dac/assets).
 *
 * Handlebars' HTML escaping is wrong for .conf files (SPL must reach the file with `"`, `<`, `>`,
 * `&`, `'` unchanged), so templates compile with `noEscape` and `strict` (a missing field is an
 * error, not an empty string). Escaping is done by helpers, and a lint pass over each template's
 * AST guarantees that no value is ever printed without one:
 *   {{conf x}}    a .conf value (@dac/conf escapeConfValue: stripped, CR-free, ` \`-continued newlines)
 *   {{json x}}    a JSON value written like Jinja `tojson` (./py-json.ts), always one line
 *   {{stanza x}}  a stanza name (rejects line breaks, trailing backslash, surrounding blanks)
 *   {{comment x}} text for a `#` comment line (line breaks become spaces)
 *   {{text x}}    one line of plain text for the README (line breaks become spaces)
 */
import Handlebars from 'handlebars';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { assetPath } from '@dac/assets';
import { escapeConfComment, escapeConfValue, escapeStanzaName } from '@dac/conf';
import { toJson, type PyJsonValue } from './py-json.js';

export const OUTPUT_HELPERS = ['conf', 'json', 'stanza', 'comment', 'text'] as const;
const OUTPUT_HELPER_SET = new Set<string>(OUTPUT_HELPERS);
const BLOCK_HELPERS = new Set(['if', 'unless', 'each', 'with']);

/** A template that would print a value without an escaping helper. */
export class TemplateLintError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateLintError';
  }
}

type HbsNode = { type: string; loc?: { start: { line: number; column: number } }; [k: string]: unknown };

/**
 * Checks a template source: every `{{…}}` that prints must be a call of one of OUTPUT_HELPERS with
 * exactly one argument; `{{{…}}}`, bare `{{field}}` and unknown helpers are refused.
 */
export function lintTemplate(source: string, name: string): void {
  const ast = Handlebars.parse(source) as unknown as HbsNode;
  const where = (n: HbsNode) => `${name}:${n.loc?.start.line ?? '?'}:${(n.loc?.start.column ?? 0) + 1}`;
  const visit = (n: HbsNode | undefined | null): void => {
    if (!n || typeof n !== 'object') return;
    switch (n.type) {
      case 'Program':
        for (const s of n.body as HbsNode[]) visit(s);
        return;
      case 'MustacheStatement': {
        const path = n.path as HbsNode & { original?: string };
        const params = n.params as HbsNode[];
        if (n.escaped === false)
          throw new TemplateLintError(`${where(n)}: triple-stash {{{…}}} is not allowed; use an escaping helper`);
        if (path.type !== 'PathExpression' || !OUTPUT_HELPER_SET.has(path.original ?? '') || params.length !== 1) {
          throw new TemplateLintError(
            `${where(n)}: every printed value must go through one of ${OUTPUT_HELPERS.map((h) => `{{${h} x}}`).join(', ')}`,
          );
        }
        return;
      }
      case 'BlockStatement': {
        const path = n.path as HbsNode & { original?: string };
        if (!BLOCK_HELPERS.has(path.original ?? ''))
          throw new TemplateLintError(`${where(n)}: block helper "${path.original}" is not allowed`);
        visit(n.program as HbsNode);
        visit(n.inverse as HbsNode);
        return;
      }
      case 'PartialStatement':
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      default:
        throw new TemplateLintError(`${where(n)}: ${n.type} is not allowed in app templates`);
    }
  };
  visit(ast);
}

export interface TemplateSet {
  dir: string;
  /** Rendered by name (file name without `.hbs`), e.g. `savedsearches.conf`. */
  render(name: string, context: unknown): string;
  names: string[];
  /** Files under `templates/static/`, copied into the app as they are (relative paths, sorted). */
  staticFiles: { relPath: string; content: Buffer }[];
}

function oneLine(v: unknown): string {
  return escapeConfComment(v);
}

const compiled = new Map<string, TemplateSet>();

/** Loads, lints and compiles every template of a directory (cached per directory). */
export function loadTemplates(dir: string = assetPath('templates')): TemplateSet {
  const cached = compiled.get(dir);
  if (cached) return cached;
  const hb = Handlebars.create();
  // Handlebars' `strict` does not cover helper arguments, so each helper refuses `undefined`
  // (a field missing from the view model); `null` is an explicit "no value".
  const defined =
    (name: string, f: (v: unknown) => string) => (v: unknown, options: { loc?: { start: { line: number } } }) => {
      if (v === undefined)
        throw new Error(
          `template value passed to {{${name} …}} is undefined (line ${options?.loc?.start.line ?? '?'})`,
        );
      return f(v);
    };
  hb.registerHelper('conf', defined('conf', escapeConfValue));
  hb.registerHelper(
    'json',
    defined('json', (v) => toJson(v as PyJsonValue)),
  );
  hb.registerHelper('stanza', defined('stanza', escapeStanzaName));
  hb.registerHelper('comment', defined('comment', escapeConfComment));
  hb.registerHelper('text', defined('text', oneLine));
  const templates = new Map<string, Handlebars.TemplateDelegate>();
  const names: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.hbs')) continue;
    // A checkout with CRLF line endings must not put CRs into .conf files.
    const source = readFileSync(join(dir, f), 'utf8').replace(/\r\n?/g, '\n');
    lintTemplate(source, f);
    const name = f.slice(0, -'.hbs'.length);
    const template = hb.compile(source, { noEscape: true, strict: true });
    // Partials get the same compiled (noEscape, strict) function, not raw source.
    hb.registerPartial(name, template);
    templates.set(name, template);
    names.push(name);
  }
  const staticDir = join(dir, 'static');
  const staticFiles: TemplateSet['staticFiles'] = [];
  if (existsSync(staticDir)) {
    for (const rel of (readdirSync(staticDir, { recursive: true }) as string[]).sort()) {
      const p = join(staticDir, rel);
      if (!statSync(p).isFile()) continue;
      const bytes = readFileSync(p);
      // Text assets get LF line endings whatever the checkout did (byte-stable builds across OSes).
      const content = /\.(conf|meta|xml|md|txt)$/.test(rel)
        ? Buffer.from(bytes.toString('utf8').replace(/\r\n?/g, '\n'), 'utf8')
        : bytes;
      staticFiles.push({ relPath: rel.split(/[\\/]/).join('/'), content });
    }
  }
  const set: TemplateSet = {
    dir,
    names,
    staticFiles,
    render(name, context) {
      const t = templates.get(name);
      if (!t) throw new Error(`no template ${name}.hbs in ${dir}`);
      return t(context, { allowProtoPropertiesByDefault: false });
    },
  };
  compiled.set(dir, set);
  return set;
}
