/**
 * The corpus comparison: every `.evtx` under a folder read by the reader and by each installed
 * reference tool; record counts and fields compared (reference.ts). Used by the corpus test and
 * by `node scripts/evtx-compare.mjs`. Development only: the tools are not needed anywhere else.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseEventXml, readEvtx } from '@dac/replay';
import { type Comparison, compareFields, type Fields, referenceFields, stripEvtxexportBanner } from './reference.js';

export interface Tool {
  name: 'evtxexport' | 'evtx_dump.py';
  python: boolean;
  args: (file: string) => [string, string[]];
}

export const TOOLS: Tool[] = [
  { name: 'evtxexport', python: false, args: (f) => ['evtxexport', ['-f', 'xml', f]] },
  { name: 'evtx_dump.py', python: true, args: (f) => ['evtx_dump.py', [f]] },
];

export function toolInstalled(t: Tool): boolean {
  const r = spawnSync('sh', ['-c', `command -v ${t.name}`], { encoding: 'utf8' });
  return r.status === 0;
}

export function evtxFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.toLowerCase().endsWith('.evtx')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** A tool's stdout, and whether it reported failing (libevtx "Unable to export", a Python traceback). */
export function runTool(t: Tool, file: string): Promise<{ out: string; failed: boolean }> {
  const [cmd, args] = t.args(file);
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const parts: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (b: Buffer) => parts.push(b));
    p.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    p.on('error', reject);
    p.on('close', (code) =>
      resolve({
        out: Buffer.concat(parts).toString('utf8'),
        failed: code !== 0 || /Unable to export|Traceback/.test(err),
      }),
    );
  });
}

export interface MyRead {
  /** Fields of the rendered XML, entities decoded (to compare with a parsed reference). */
  decoded: Fields[];
  /** Records whose direct fields differ from parseEventXml of their own text. */
  fastPathDiffers: number;
  issues: string[];
  xml: string[];
}

export const stable = (f: Fields): string =>
  JSON.stringify(
    Object.entries(f)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );

export async function readMine(file: string): Promise<MyRead> {
  const decoded: Fields[] = [];
  const xml: string[] = [];
  const issues: string[] = [];
  let fastPathDiffers = 0;
  await readEvtx(
    createReadStream(file, { highWaterMark: 1 << 20 }),
    {
      record(r) {
        xml.push(r.xml);
        const raw = parseEventXml(r.xml, false);
        if ('error' in raw) {
          issues.push(`record ${r.ordinal}: rendered XML does not parse: ${raw.error}`);
          decoded.push({});
          return;
        }
        const tree = referenceFields(r.xml);
        if (tree.error || tree.fields.length !== 1)
          issues.push(`record ${r.ordinal}: rendered XML is not one well-formed event: ${tree.error}`);
        decoded.push(tree.fields[0] ?? {});
        if (
          r.fields === undefined ||
          stable(r.fields as Fields) !== stable(raw.fields as Fields) ||
          r.time !== raw.time
        )
          fastPathDiffers++;
      },
      issue(i) {
        issues.push(`@0x${i.offset.toString(16)} ${i.kind}: ${i.message}`);
      },
    },
    { fields: true },
  );
  return { decoded, fastPathDiffers, issues, xml };
}

export interface FileResult {
  file: string;
  bytes: number;
  mine: number;
  fastPathDiffers: number;
  issues: string[];
  refs: Record<string, { records: number; comparison: Comparison; error?: string; failed: boolean }>;
}

export async function compareFile(file: string, root: string, tools: Tool[]): Promise<FileResult> {
  const mine = await readMine(file);
  const res: FileResult = {
    file: relative(root, file),
    bytes: statSync(file).size,
    mine: mine.decoded.length,
    fastPathDiffers: mine.fastPathDiffers,
    issues: mine.issues,
    refs: {},
  };
  for (const t of tools) {
    const { out, failed } = await runTool(t, file);
    const ref = referenceFields(t.python ? out : stripEvtxexportBanner(out));
    // Fields are compared over the records both read; counts separately.
    const n = Math.min(ref.fields.length, mine.decoded.length);
    res.refs[t.name] = {
      records: ref.fields.length,
      failed,
      comparison: compareFields(mine.decoded.slice(0, n), ref.fields.slice(0, n), t.python),
      ...(ref.error ? { error: `output stops: ${ref.error}` } : {}),
    };
  }
  return res;
}

export interface CorpusSummary {
  files: number;
  records: number;
  fastPathDiffers: number;
  issues: number;
  perTool: Record<
    string,
    {
      filesCountEqual: number;
      filesFieldsEqual: number;
      records: number;
      fields: number;
      equal: number;
      rules: Record<string, number>;
      exceptions: string[];
      /** Files the tool failed on part-way (its own error), every record it did read equal. */
      referenceFailed: string[];
    }
  >;
  results: FileResult[];
}

/** Compares every file, two at a time (the reference tools run as child processes). */
export async function compareCorpus(
  dir: string,
  tools: Tool[],
  onFile?: (r: FileResult) => void,
): Promise<CorpusSummary> {
  const files = evtxFiles(dir);
  const results: FileResult[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      results[i] = await compareFile(files[i]!, dir, tools);
      onFile?.(results[i]!);
    }
  };
  await Promise.all([worker(), worker()]);
  const s: CorpusSummary = {
    files: files.length,
    records: results.reduce((a, r) => a + r.mine, 0),
    fastPathDiffers: results.reduce((a, r) => a + r.fastPathDiffers, 0),
    issues: results.reduce((a, r) => a + r.issues.length, 0),
    perTool: {},
    results,
  };
  for (const t of tools) {
    const p = {
      filesCountEqual: 0,
      filesFieldsEqual: 0,
      records: 0,
      fields: 0,
      equal: 0,
      rules: {} as Record<string, number>,
      exceptions: [] as string[],
      referenceFailed: [] as string[],
    };
    for (const r of results) {
      const x = r.refs[t.name]!;
      p.records += x.records;
      p.fields += x.comparison.fields;
      p.equal += x.comparison.equal;
      if (x.records === r.mine) p.filesCountEqual++;
      if (x.records === r.mine && x.comparison.equal === x.comparison.fields && !x.error) p.filesFieldsEqual++;
      for (const [k, v] of Object.entries(x.comparison.rules)) p.rules[k] = (p.rules[k] ?? 0) + (v ?? 0);
      if (x.failed && x.records < r.mine && x.comparison.mismatches.length === 0) {
        p.referenceFailed.push(`${r.file}: ${t.name} failed after ${x.records} of ${r.mine} records`);
        continue;
      }
      if (x.error || x.records !== r.mine || x.comparison.mismatches.length)
        p.exceptions.push(
          `${r.file}: ${x.error ?? `records ${r.mine} vs ${x.records}`}${x.comparison.mismatches
            .slice(0, 3)
            .map((m) => `; record ${m.record} ${m.field}: ${JSON.stringify(m.mine)} vs ${JSON.stringify(m.ref)}`)
            .join('')}`,
        );
    }
    s.perTool[t.name] = p;
  }
  return s;
}
