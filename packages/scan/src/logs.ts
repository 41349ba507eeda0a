/**
 * The logs of a scan: files and folders as the user named them, searched recursively, and the
 * sourcetype each file's events are read as — told from the content, never from the name alone
 * (a `.log` of attack_data may hold XmlWinEventLog XML, CrowdStrike or NXLog JSON).
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sniffLogFile } from '@dac/replay';

/** File names a folder is searched for (case-insensitive). */
export const LOG_EXTENSIONS = ['.evtx', '.log', '.json', '.jsonl', '.gz', '.zip'] as const;

const LOG_NAME = new RegExp(`(${LOG_EXTENSIONS.map((e) => e.replace('.', '\\.')).join('|')})$`, 'i');

export interface LogFile {
  /** Absolute path. */
  path: string;
  /** As the user named it: the argument, or the argument joined with the path under it. */
  log: string;
}

export class LogArgumentError extends Error {}

/**
 * The log files named by `args` (files, or folders searched recursively for LOG_EXTENSIONS), in
 * argument order and, under a folder, in sorted path order; each file once. A file named
 * explicitly is taken whatever its name. Throws LogArgumentError for a path that does not exist.
 */
export function findLogs(args: readonly string[], cwd = process.cwd()): LogFile[] {
  const out: LogFile[] = [];
  const seen = new Set<string>();
  const add = (path: string, log: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    out.push({ path, log });
  };
  for (const arg of args) {
    const abs = resolve(cwd, arg);
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(abs);
    } catch {
      throw new LogArgumentError(`log ${arg} does not exist`);
    }
    if (st.isFile()) {
      add(abs, arg);
      continue;
    }
    if (!st.isDirectory()) throw new LogArgumentError(`log ${arg} is neither a file nor a folder`);
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile() && LOG_NAME.test(e.name)) files.push(p);
      }
    };
    walk(abs);
    files.sort();
    for (const f of files) {
      const rel = relative(abs, f).split(sep).join('/');
      add(f, `${arg.replace(/[\\/]+$/, '')}/${rel}`);
    }
  }
  return out;
}

/** How many bytes of a text log are looked at to tell its format. */
const SNIFF_BYTES = 64 * 1024;

/**
 * The sourcetype of a log's events, from its content: EVTX files and zips (attack_data's
 * capattack archives of EVTX files) are `XmlWinEventLog`; text (gzip inflated) by its first
 * non-empty line — `<Event xmlns=…win/2004/08/events/event…>` XmlWinEventLog, `<Event>` with the
 * `Linux-Sysmon` provider sysmon:linux, a JSON object with `event_simpleName` CrowdStrike, with
 * `EventTime` and `SourceName`/`Channel` NXLog, a classic `MM/DD/YYYY hh:mm:ss AM` header
 * WinEventLog. Returns `{ error }` when it cannot tell.
 */
export function sourcetypeOf(path: string): { sourcetype: string } | { error: string } {
  let kind: ReturnType<typeof sniffLogFile>;
  try {
    kind = sniffLogFile(path);
  } catch (e) {
    return { error: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  if (kind === 'evtx' || kind === 'zip') return { sourcetype: 'XmlWinEventLog' };
  const fd = openSync(path, 'r');
  let head: Buffer;
  try {
    const b = Buffer.alloc(SNIFF_BYTES);
    head = b.subarray(0, readSync(fd, b, 0, SNIFF_BYTES, 0));
  } finally {
    closeSync(fd);
  }
  if (kind === 'gzip') {
    try {
      head = gunzipSync(head, { finishFlush: 2 /* Z_SYNC_FLUSH: a cut stream inflates as far as it goes */ });
    } catch {
      return { error: 'gzip data that does not inflate' };
    }
  }
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const line = text
    .split(/\r?\n/)
    .find((l) => l.trim() !== '')
    ?.trim();
  if (line === undefined) return { error: 'no events (empty file)' };
  return sourcetypeOfLine(line) ?? { error: 'cannot tell the log format from its first line' };
}

/** The sourcetype one line of a text log says (see `sourcetypeOf`), or undefined. */
export function sourcetypeOfLine(line: string): { sourcetype: string } | undefined {
  if (/^<Event[\s>]/.test(line)) {
    if (/xmlns=['"]http:\/\/schemas\.microsoft\.com\/win\/2004\/08\/events\/event['"]/.test(line))
      return { sourcetype: 'XmlWinEventLog' };
    if (/<Provider Name=['"]Linux-Sysmon['"]/.test(line)) return { sourcetype: 'sysmon:linux' };
    return { sourcetype: 'XmlWinEventLog' };
  }
  if (/^\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d [AP]M$/.test(line)) return { sourcetype: 'WinEventLog' };
  if (line.startsWith('{')) {
    if (/"event_simpleName"\s*:/.test(line)) return { sourcetype: 'crowdstrike:events:sensor' };
    if (/"EventTime"\s*:/.test(line) && /"(SourceName|Channel)"\s*:/.test(line)) return { sourcetype: 'nxlog:json' };
  }
  return undefined;
}
