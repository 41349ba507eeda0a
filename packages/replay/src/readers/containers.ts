import { closeSync, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import yauzl from 'yauzl';
import type { RawEvent } from '@dac/normalise';
import { evtxFileSource, readEvtx, type EvtxStats } from './evtx/index.js';
import type { EventSink } from './formats.js';
import { parseEventXml } from './xml-event.js';

/**
 * What a log file is, from its first bytes (never from its name alone): `ElfFile\0` = EVTX,
 * `PK\3\4` = zip, `1f 8b` = gzip, anything else = text lines. A `.evtx` name with other bytes is
 * still read as EVTX, so that a damaged header is reported rather than read as text.
 */
export type LogKind = 'evtx' | 'zip' | 'gzip' | 'text';

export function sniffBytes(b: Uint8Array, name = ''): LogKind {
  const is = (sig: number[]) => sig.every((x, i) => b[i] === x);
  if (is([0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00])) return 'evtx';
  if (is([0x50, 0x4b, 0x03, 0x04])) return 'zip';
  if (is([0x1f, 0x8b])) return 'gzip';
  if (/\.evtx$/i.test(name)) return 'evtx';
  return 'text';
}

/** The kind of a file on disk. Throws for I/O errors (missing file). */
export function sniffLogFile(path: string): LogKind {
  const fd = openSync(path, 'r');
  try {
    return sniffFd(fd, path);
  } finally {
    closeSync(fd);
  }
}

/** `sniffLogFile` over a file already open (the descriptor stays open). */
export function sniffFd(fd: number, path: string): LogKind {
  const b = Buffer.alloc(8);
  const n = readSync(fd, b, 0, 8, 0);
  return sniffBytes(b.subarray(0, n), path);
}

export interface EvtxReadResult {
  stats: EvtxStats;
  error?: Error;
}

/**
 * EVTX records as replay events: each record is rendered as its XmlWinEventLog text (`text`, the
 * `_raw`), and its fields are handed over directly by the reader (no second parse), or — for an
 * event of unusual shape — parsed from that text by `parseEventXml`. `line` is the record's
 * ordinal in the file. Damaged chunks and records become `malformed` issues with their offset.
 */
export async function readEvtxEvents(
  /** The bytes, or the path of a file (read through `evtxFileSource`: one reused 1 MiB buffer). */
  source: AsyncIterable<Uint8Array> | string,
  sink: EventSink,
  opts: { decodeEntities?: boolean; wanted?: ReadonlySet<string>; member?: string; fastPath?: boolean },
): Promise<EvtxReadResult> {
  const member = opts.member !== undefined ? { member: opts.member } : {};
  const decode = opts.decodeEntities ?? false;
  try {
    const stats = await readEvtx(
      typeof source === 'string' ? evtxFileSource(source) : source,
      {
        record(r) {
          let ev: RawEvent;
          if (r.fields && opts.fastPath !== false)
            ev = { fields: r.fields, time: r.time, line: r.ordinal, text: r.xml };
          else {
            const p = parseEventXml(r.xml, decode, opts.wanted);
            if ('error' in p) {
              sink.issue({
                line: 0,
                offset: r.offset,
                ...member,
                kind: 'malformed',
                message: `record ${r.recordId}: ${p.error}`,
              });
              return;
            }
            ev = { fields: p.fields, time: p.time, line: r.ordinal, text: r.xml };
          }
          sink.event(ev);
        },
        issue(i) {
          sink.issue({
            line: 0,
            offset: i.offset,
            ...member,
            kind: i.kind === 'note' ? 'note' : 'malformed',
            message: i.message,
          });
        },
      },
      { fields: opts.fastPath !== false, wanted: opts.wanted, decodeEntities: decode },
    );
    return { stats };
  } catch (e) {
    // Only the byte source can throw here (an I/O or inflate error): what was read stands.
    return {
      stats: {
        bytes: 0,
        blocks: 0,
        chunks: 0,
        damagedChunks: 0,
        records: 0,
        damagedRecords: 0,
        planned: 0,
        dirty: false,
      },
      error: e instanceof Error ? e : new Error(String(e)),
    };
  }
}

/** Members of a zip that are read: EVTX (by content or name) and text logs by their extension. */
export const TEXT_MEMBER = /\.(log|json|jsonl|txt|xml|raw|gz)$/i;

export interface ZipMember {
  name: string;
  /** Compressed and uncompressed sizes from the central directory. */
  compressedSize: number;
  size: number;
  stream: AsyncIterable<Uint8Array>;
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: true, strictFileNames: false, validateEntrySizes: true },
      (e, z) => (e || !z ? reject(e ?? new Error('cannot open zip')) : resolve(z)),
    ),
  );
}

/**
 * Visits the file members of a zip archive one at a time, streaming each (yauzl reads the central
 * directory, then inflates one member at a time: memory stays flat). Directory entries are skipped.
 */
export async function forEachZipMember(path: string, visit: (m: ZipMember) => Promise<void>): Promise<void> {
  const zip = await openZip(path);
  await new Promise<void>((resolve, reject) => {
    let busy = false;
    zip.on('error', reject);
    zip.on('end', () => {
      if (!busy) resolve();
    });
    zip.on('close', () => {
      if (!busy) resolve();
    });
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName.endsWith('/')) {
        zip.readEntry();
        return;
      }
      busy = true;
      zip.openReadStream(entry, (e, stream) => {
        if (e || !stream) {
          busy = false;
          reject(e ?? new Error(`cannot read member ${entry.fileName}`));
          return;
        }
        visit({ name: entry.fileName, compressedSize: entry.compressedSize, size: entry.uncompressedSize, stream })
          .then(() => {
            busy = false;
            zip.readEntry();
          })
          .catch(reject);
      });
    });
    zip.readEntry();
  });
}

/** Reads the first piece of a stream, then yields it and the rest (to sniff a member's content). */
export async function peek(
  stream: AsyncIterable<Uint8Array>,
): Promise<{ head: Uint8Array; rest: AsyncIterable<Uint8Array> }> {
  const it = stream[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done ? new Uint8Array(0) : first.value;
  async function* rest() {
    if (!first.done) yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  }
  return { head, rest: rest() };
}

export function gunzipStream(src: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const r = Readable.from(src);
  const g = createGunzip({ chunkSize: 1 << 18 });
  r.on('error', (e) => g.destroy(e));
  return r.pipe(g);
}
