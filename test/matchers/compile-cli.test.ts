import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDac } from '../support/run-dac.js';

const repo = join(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'dac-compile-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const dac = runDac;

/** A content tree: the repo's macros plus the given detection files. */
function content(name: string, detections: Record<string, string>): string {
  const root = join(tmp, name);
  cpSync(join(repo, 'macros'), join(root, 'macros'), { recursive: true });
  mkdirSync(join(root, 'detections', 'endpoint'), { recursive: true });
  for (const [file, text] of Object.entries(detections))
    writeFileSync(join(root, 'detections', 'endpoint', file), text);
  return root;
}

const NGROK = readFileSync(join(repo, 'detections/endpoint/windows_ngrok_reverse_proxy_usage.yml'), 'utf8');

describe('dac compile', () => {
  it('writes the ngrok matcher, runtime and dataset interface; exits 0', async () => {
    const out = join(tmp, 'out-ngrok');
    const r = await dac('compile', '--content', repo, '--out', out, '--no-cache');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/1 of 1 tstats-from-datamodel detections compiled/);
    const src = readFileSync(join(out, 'windows_ngrok_reverse_proxy_usage.ts'), 'utf8');
    expect(src).toContain('export function match(event: EndpointProcessesEvent): boolean {');
    expect(existsSync(join(out, 'runtime.ts'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'tsconfig.json'), 'utf8')).compilerOptions.strict).toBe(true);
    expect(readFileSync(join(out, 'cim/Endpoint.Processes.ts'), 'utf8')).toContain(
      'export interface EndpointProcessesEvent',
    );
  });

  it('reports a data-model field typo at its YAML line:col with the rule, exits 1', async () => {
    const typo = NGROK.replace('where Processes.process_name=ngrok.exe', 'where Processes.proces_name=ngrok.exe');
    const root = content('typo', { 'windows_ngrok_reverse_proxy_usage.yml': typo });
    const r = await dac('compile', '--content', root, '--out', join(tmp, 'out-typo'), '--no-cache');
    expect(r.code).toBe(1);
    const line = typo.split('\n').findIndex((l) => l.startsWith('search:')) + 1;
    const col = typo.split('\n')[line - 1]!.indexOf('Processes.proces_name') + 1;
    expect(r.out).toContain(
      `detections/endpoint/windows_ngrok_reverse_proxy_usage.yml:${line}:${col}: error: field Processes.proces_name is not a field of data model Endpoint.Processes; did you mean Processes.process_name? [datamodel-field]`,
    );
    expect(existsSync(join(tmp, 'out-typo', 'windows_ngrok_reverse_proxy_usage.ts'))).toBe(false);
  });

  it('a later full run removes the matcher of a detection that is gone (manifest), not other files', async () => {
    const root = content('stale', {
      'windows_ngrok_reverse_proxy_usage.yml': NGROK,
      'second_copy.yml': NGROK.replace('name: Windows Ngrok Reverse Proxy Usage', 'name: Second Copy').replace(
        '`windows_ngrok_reverse_proxy_usage_filter`',
        '`second_copy_filter`',
      ),
    });
    const out = join(tmp, 'out-stale');
    expect((await dac('compile', '--content', root, '--out', out, '--no-cache')).code).toBe(0);
    expect(existsSync(join(out, 'second_copy.ts'))).toBe(true);
    writeFileSync(join(out, 'mine.ts'), '// user file');
    rmSync(join(root, 'detections', 'endpoint', 'second_copy.yml'));
    expect((await dac('compile', '--content', root, '--out', out, '--no-cache')).code).toBe(0);
    expect(existsSync(join(out, 'second_copy.ts'))).toBe(false);
    expect(existsSync(join(out, 'windows_ngrok_reverse_proxy_usage.ts'))).toBe(true);
    expect(existsSync(join(out, 'mine.ts'))).toBe(true);
  });

  it('selecting an unknown detection is a usage error (exit 2)', async () => {
    const r = await dac('compile', '--content', repo, '--out', join(tmp, 'out-none'), 'no_such_detection');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no detection named "no_such_detection"/);
  });
});
