/**
 * Prepared detections as plain values, and detections prepared from them on first use.
 *
 * A scan thread needs, for every detection, what routes events to it (its index keys and the
 * fields it reads) and what it gives over no events (`rowsOnNoEvents`, asked on every log the
 * detection is not run on); those are plain data the thread that prepared it has computed
 * already. Its plan and matchers (code: they cannot cross a thread) are needed only for the
 * detections the index routes an event to — in a scan of the ESCU corpus 221 of 1,147 are ever
 * asked `accepts` — so they are built on first use (`lazyScanDetections`) instead of every thread
 * preparing the whole rule set (~1.25 s CPU cold).
 */
import type { ContentContext } from '@dac/replay';
import type { SplunkEvent } from '@dac/normalise';
import type { ScanContent } from './content.js';
import { scanContext, scanDetectionOf } from './detections.js';
import type { IndexKeys, NotScanned, ScanDetection } from './types.js';

/** What a prepared detection gives over no events: its row count, or the message it failed with. */
export type NoEventsRows = { rows: number } | { error: string };

/** A prepared ScanDetection without its code: everything a structured clone can carry. */
export interface PlainDetection {
  file: string;
  id: string;
  name: string;
  techniques: readonly string[];
  keys: IndexKeys;
  fields?: ReadonlySet<string>;
  /** Whether the detection has `accepts` (a first-command filter). */
  accepts: boolean;
  noEvents: NoEventsRows;
}

/** The prepared detections of a scan as plain values, with the `now` they were prepared at. */
export interface PlainScan {
  /** Epoch seconds the searches were prepared with: a detection built from this is the same detection. */
  now: number;
  detections: PlainDetection[];
  notScanned: NotScanned[];
}

/** The plain values of prepared detections (runs every detection over no events once, as a scan does). */
export async function plainScan(
  now: number,
  detections: readonly ScanDetection[],
  notScanned: readonly NotScanned[],
): Promise<PlainScan> {
  const empty = await Promise.allSettled(detections.map((d) => d.rowsOnNoEvents()));
  return {
    now,
    detections: detections.map((d, i) => {
      const e = empty[i]!;
      return {
        file: d.file,
        id: d.id,
        name: d.name,
        techniques: d.techniques,
        keys: d.keys,
        ...(d.fields ? { fields: d.fields } : {}),
        accepts: d.accepts !== undefined,
        noEvents:
          e.status === 'fulfilled' ? { rows: e.value } : { error: (e.reason as Error)?.message ?? String(e.reason) },
      };
    }),
    notScanned: [...notScanned],
  };
}

/**
 * ScanDetections of `plain` that prepare themselves from `content` on first use (`accepts` or
 * `open`), with `plain.now`: the same detection the main thread prepared (same content, same
 * time). Once prepared, a detection's `accepts` and `open` are the prepared ones (no indirection
 * per event). `rowsOnNoEvents` answers from the plain value.
 */
export function lazyScanDetections(
  content: ScanContent,
  plain: Pick<PlainScan, 'now' | 'detections'>,
  opts: {
    /** The context to prepare in (scanContext(content)); shared, so a lookup is read once per thread. */
    ctx?: ContentContext;
    /** Detections this thread prepared already (by file): taken as they are. */
    prepared?: ReadonlyMap<string, ScanDetection>;
  } = {},
): ScanDetection[] {
  const entries = new Map(content.detections.map((e) => [e.file, e]));
  let ctx = opts.ctx;
  return plain.detections.map((p) => {
    const own = opts.prepared?.get(p.file);
    if (own) return own;
    const d: ScanDetection = {
      file: p.file,
      id: p.id,
      name: p.name,
      techniques: p.techniques,
      keys: p.keys,
      ...(p.fields ? { fields: p.fields } : {}),
      open: () => prepare().open(),
      rowsOnNoEvents: () => {
        const e = p.noEvents;
        // A rejected promise, as the prepared detection's own rowsOnNoEvents gives when its run fails.
        return 'rows' in e ? e.rows : Promise.reject(new Error(e.error));
      },
    };
    if (p.accepts) d.accepts = (ev: SplunkEvent) => prepare().accepts!(ev);
    const prepare = (): ScanDetection => {
      const entry = entries.get(p.file);
      ctx ??= scanContext(content);
      const r = entry && scanDetectionOf(ctx, entry, plain.now);
      if (!r || !('detection' in r) || (r.detection.accepts !== undefined) !== p.accepts)
        throw new Error(`${p.file} did not prepare as it did in the main thread`);
      // From now on the prepared detection's own functions, called directly.
      d.open = r.detection.open;
      if (r.detection.accepts) d.accepts = r.detection.accepts;
      return r.detection;
    };
    return d;
  });
}
