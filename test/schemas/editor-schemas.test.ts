// The published schemas (schemas/*.schema.json) are what editors read (VS Code / any
// yaml-language-server editor, through the `# yaml-language-server: $schema=` line or
// .vscode/settings.json): hover text for every key, completion of fixed value sets, examples and
// snippets. These tests hold the schemas to that: every key documented, every example and every
// snippet valid content, and the editor-only keywords accepted by ajv's strict mode without
// changing what validates.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseYamlText } from '@dac/content';
import { validate } from '@dac/validate';
import { compileValidators, enumMessage, newAjv, SCHEMAS } from '../../packages/validate/src/schemas.js';
import { expandSnippet, renderSnippetBody } from './snippets.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

type Node = Record<string, unknown>;
interface Visit {
  kind: string;
  pointer: string;
  node: Node;
  /** Why this node needs a description: it is a key's schema, a list item, a map value or a definition. */
  role: 'root' | 'property' | 'items' | 'additionalProperties' | 'definition';
}

const escapePointer = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

/** Every subschema of every schema, with its JSON pointer. */
function* subschemas(): Generator<Visit> {
  for (const [kind, schema] of Object.entries(SCHEMAS)) {
    const stack: Visit[] = [{ kind, pointer: '', node: schema as Node, role: 'root' }];
    while (stack.length) {
      const v = stack.pop()!;
      yield v;
      const { node, pointer } = v;
      const props = node.properties as Record<string, Node> | undefined;
      for (const [k, s] of Object.entries(props ?? {}))
        stack.push({ kind, pointer: `${pointer}/properties/${escapePointer(k)}`, node: s, role: 'property' });
      const defs = node.$defs as Record<string, Node> | undefined;
      for (const [k, s] of Object.entries(defs ?? {}))
        stack.push({ kind, pointer: `${pointer}/$defs/${escapePointer(k)}`, node: s, role: 'definition' });
      if (node.items && typeof node.items === 'object')
        stack.push({ kind, pointer: `${pointer}/items`, node: node.items as Node, role: 'items' });
      if (node.additionalProperties && typeof node.additionalProperties === 'object')
        stack.push({
          kind,
          pointer: `${pointer}/additionalProperties`,
          node: node.additionalProperties as Node,
          role: 'additionalProperties',
        });
    }
  }
}

const ALL = [...subschemas()];

/** A validator for the subschema at `pointer` of schema `kind` ($refs resolve within its schema). */
function validatorAt(kind: string, pointer: string) {
  const ajv = newAjv();
  for (const [k, s] of Object.entries(SCHEMAS)) ajv.addSchema(s, k);
  const id = (SCHEMAS as Record<string, Node>)[kind]!.$id as string;
  const v = ajv.getSchema(`${id}#${pointer}`);
  if (!v) throw new Error(`no schema at ${kind}#${pointer}`);
  return v;
}

describe('editor schemas: documentation', () => {
  it('every key (and every list item, map value and definition) of every schema has a description', () => {
    const missing = ALL.filter(
      (v) => typeof v.node.description !== 'string' || (v.node.description as string).trim().length < 8,
    ).map((v) => `${v.kind}#${v.pointer}`);
    expect(missing).toEqual([]);
    // The walk reaches the nested keys too (observables, attack_data, field mappings, …).
    expect(ALL.filter((v) => v.role === 'property').length).toBeGreaterThan(130);
    expect(ALL.map((v) => `${v.kind}#${v.pointer}`)).toContain(
      'detection#/$defs/test/properties/attack_data/items/properties/sourcetype',
    );
  });

  it('enumDescriptions, where given, describe each enum value in order', () => {
    const withDescriptions = ALL.filter((v) => v.node.enumDescriptions !== undefined);
    expect(withDescriptions.length).toBeGreaterThanOrEqual(8);
    for (const v of withDescriptions)
      expect((v.node.enumDescriptions as string[]).length, `${v.kind}#${v.pointer}`).toBe(
        (v.node.enum as unknown[]).length,
      );
  });

  it("ESCU's fixed value sets are enums (contentctl 4.4 enums.py / constants.py)", () => {
    const at = (kind: string, pointer: string) => ALL.find((v) => v.kind === kind && v.pointer === pointer)!.node;
    const tags = '/$defs/tags/properties';
    // contentctl AssetType (44 literals in v4.4.7 and at HEAD).
    expect((at('detection', `${tags}/asset_type`).enum as string[]).length).toBe(44);
    expect(at('detection', `${tags}/asset_type`).enum).toEqual(
      expect.arrayContaining(['Endpoint', 'Windows', 'O365 Tenant']),
    );
    expect(at('detection', `${tags}/security_domain`).enum).toEqual([
      'endpoint',
      'network',
      'threat',
      'identity',
      'access',
      'audit',
    ]);
    expect(at('detection', '/properties/type').enum).toEqual(['TTP', 'Anomaly', 'Hunting', 'Correlation']);
    expect(at('detection', '/properties/status').enum).toEqual(['production', 'experimental', 'deprecated']);
    // SES_OBSERVABLE_TYPE_MAPPING (22 types) and RBA_OBSERVABLE_ROLE_MAPPING.
    expect((at('detection', `${tags}/observable/items/properties/type`).enum as string[]).length).toBe(22);
    expect(at('detection', `${tags}/observable/items/properties/role/items`).enum).toEqual(['Attacker', 'Victim']);
    expect((at('detection', `${tags}/product/items`).enum as string[]).length).toBe(5);
  });
});

describe('editor schemas: examples and snippets are valid content', () => {
  it('every example validates against the schema it illustrates', () => {
    const withExamples = ALL.filter((v) => Array.isArray(v.node.examples));
    expect(withExamples.length).toBeGreaterThan(60);
    const failures: string[] = [];
    for (const v of withExamples) {
      const check = validatorAt(v.kind, v.pointer);
      for (const ex of v.node.examples as unknown[])
        if (!check(ex)) failures.push(`${v.kind}#${v.pointer}: ${JSON.stringify(ex)} ${JSON.stringify(check.errors)}`);
    }
    expect(failures).toEqual([]);
  });

  it('every defaultSnippets body, as an editor inserts and expands it, is YAML that validates where it is offered', () => {
    const withSnippets = ALL.filter((v) => Array.isArray(v.node.defaultSnippets));
    expect(withSnippets.map((v) => v.kind).sort()).toEqual(
      expect.arrayContaining(['config', 'data_source', 'detection', 'lookup', 'macro', 'story']),
    );
    let count = 0;
    for (const v of withSnippets) {
      const check = validatorAt(v.kind, v.pointer);
      for (const s of v.node.defaultSnippets as { label: string; body: unknown }[]) {
        count++;
        const where = `${v.kind}#${v.pointer} "${s.label}"`;
        const text = expandSnippet(renderSnippetBody(s.body));
        const file = parseYamlText(text, '/snippet.yml', 'snippet.yml');
        expect(file.diagnostics, `${where}:\n${text}`).toEqual([]);
        expect(check(file.value) ? [] : check.errors, `${where}:\n${text}`).toEqual([]);
      }
    }
    expect(count).toBeGreaterThanOrEqual(12);
  });

  it('the detection snippet passes every dac validate rule in a copy of this repository (filter macro from the name, risk score, tokens, observables)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dac-snippet-'));
    try {
      for (const dir of ['macros', 'stories', 'data_sources'])
        cpSync(join(REPO_ROOT, dir), join(root, dir), { recursive: true });
      cpSync(join(REPO_ROOT, 'dac.config.yaml'), join(root, 'dac.config.yaml'));
      const snippet = (SCHEMAS.detection.defaultSnippets as { body: unknown }[])[0]!;
      const text = expandSnippet(renderSnippetBody(snippet.body), new Date('2025-03-04T10:00:00Z'));
      expect(text).toContain("date: '2025-03-04'");
      expect(text).toContain('`windows_suspicious_tunnel_process_filter`');
      expect(text).toContain('message: A suspicious process $process_name$ ran on $dest$ by user $user$.');
      const rel = 'detections/endpoint/windows_suspicious_tunnel_process.yml';
      cpSync(join(REPO_ROOT, 'detections'), join(root, 'detections'), { recursive: true });
      writeFileSync(join(root, rel), text);
      const r = await validate({ root, workers: 0 });
      expect(r.diagnostics.filter((d) => d.file === rel)).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('editor-only keywords and ajv strict mode', () => {
  it('defaultSnippets and enumDescriptions are registered keywords whose misuse in a schema is rejected', () => {
    const ajv = newAjv();
    expect(() => ajv.compile({ type: 'string', defaultSnippets: [{ label: 'x', body: 'y' }] })).not.toThrow();
    expect(() => ajv.compile({ type: 'string', defaultSnippets: [{ body: 'y' }] })).toThrow(/defaultSnippets/);
    expect(() => ajv.compile({ type: 'string', defaultSnippets: [{ label: 'x', bodyText: 1 }] })).toThrow();
    expect(() => ajv.compile({ enum: ['a'], enumDescriptions: [1] })).toThrow();
    // Strict mode still rejects a keyword nobody registered (a typo such as "descripton").
    expect(() => ajv.compile({ type: 'string', descripton: 'x' })).toThrow(/strict mode: unknown keyword/);
  });

  it('the annotations change nothing that validates: the schemas without them give the same errors', () => {
    const ANNOTATIONS = new Set(['description', 'examples', 'defaultSnippets', 'enumDescriptions', 'title']);
    // Annotation keywords only (a key *named* description under properties stays).
    const strip = (schema: Node): Node => {
      const out: Node = {};
      for (const [k, v] of Object.entries(schema)) {
        if (ANNOTATIONS.has(k)) continue;
        if ((k === 'properties' || k === '$defs') && v && typeof v === 'object')
          out[k] = Object.fromEntries(Object.entries(v as Record<string, Node>).map(([p, s]) => [p, strip(s)]));
        else if ((k === 'items' || k === 'additionalProperties') && v && typeof v === 'object')
          out[k] = strip(v as Node);
        else out[k] = v;
      }
      return out;
    };
    const ajv = newAjv();
    const stripped = strip(SCHEMAS.detection as Node);
    expect(JSON.stringify(stripped)).not.toContain('defaultSnippets');
    const bare = ajv.compile(stripped);
    const annotated = compileValidators().detection;
    const ngrok = parseYamlText(
      readFileSync(join(REPO_ROOT, 'detections/endpoint/windows_ngrok_reverse_proxy_usage.yml'), 'utf8'),
      '/a.yml',
      'a.yml',
    ).value as Node;
    const tags = ngrok.tags as Node;
    const cases: unknown[] = [
      ngrok,
      { ...ngrok, type: 'ttp', version: 'x' },
      { ...ngrok, tags: { ...tags, asset_type: 'Endpont', security_domain: 'Endpoint' } },
      { ...ngrok, tags: { ...tags, observable: [{ name: 'dest', type: 'Host', role: ['victim', 'Victim'] }] } },
      { ...ngrok, colour: 'red' },
    ];
    for (const c of cases) {
      const a = bare(c) ? [] : bare.errors!.map((e) => [e.instancePath, e.keyword, e.params]);
      const b = annotated(c) ? [] : annotated.errors!.map((e) => [e.instancePath, e.keyword, e.params]);
      expect(b).toEqual(a);
    }
  });
});

describe('enum diagnostics read well', () => {
  it('short sets are listed in full, with a did-you-mean', () => {
    expect(enumMessage('type', ['TTP', 'Anomaly', 'Hunting', 'Correlation'], 'Anomoly')).toBe(
      'type must be one of "TTP", "Anomaly", "Hunting", "Correlation"; got "Anomoly" (did you mean "Anomaly"?)',
    );
  });

  it('a value that differs only in case says the values are case-sensitive', () => {
    expect(enumMessage('tags.security_domain', ['endpoint', 'network'], 'Endpoint')).toBe(
      'tags.security_domain must be one of "endpoint", "network"; got "Endpoint" (did you mean "endpoint"? values are case-sensitive)',
    );
  });

  it('long sets (asset_type: 44 values) are summarised by count and examples, not listed', () => {
    const node = ALL.find((v) => v.pointer === '/$defs/tags/properties/asset_type')!.node;
    expect(enumMessage('tags.asset_type', node.enum as string[], 'Endpont', node)).toBe(
      'tags.asset_type must be one of the 44 values of the schema, e.g. "Endpoint", "Windows", "Network", "Web Server"; got "Endpont" (did you mean "Endpoint"?)',
    );
  });
});
