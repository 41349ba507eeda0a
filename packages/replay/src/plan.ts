/**
 * `dac plan`: for every detection, whether `dac` can execute it offline and, if not, why (the
 * first unsupported command or feature, by name) — the coverage figure of the offline replay.
 */
import type { ContentTree, DetectionData } from '@dac/content';
import { contentContext, prepareDetection } from './prepared.js';

export interface PlanEntry {
  /** Relative to the content root. */
  file: string;
  name: string;
  replayable: boolean;
  /** Why not (absent when replayable). */
  reason?: string;
}

export interface PlanReport {
  detections: PlanEntry[];
  summary: { detections: number; replayable: number };
}

/** Plans every detection of the tree (or those whose content-relative file is in `files`). */
export function planDetections(tree: ContentTree, files?: ReadonlySet<string>): PlanReport {
  const ctx = contentContext(tree);
  const detections: PlanEntry[] = [];
  for (const d of tree.detections) {
    const file = d.file.relPath;
    if (files && !files.has(file)) continue;
    if (!d.data || typeof d.data !== 'object') {
      detections.push({
        file,
        name: file,
        replayable: false,
        reason: 'not replayable: the file is not a readable detection',
      });
      continue;
    }
    const p = prepareDetection({ file, data: d.data as DetectionData }, ctx);
    detections.push(
      p.replayable
        ? { file, name: p.name, replayable: true }
        : { file, name: p.name, replayable: false, reason: p.reason },
    );
  }
  detections.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return {
    detections,
    summary: { detections: detections.length, replayable: detections.filter((x) => x.replayable).length },
  };
}

/**
 * Reasons with their counts, most frequent first. Quoted names and lookup/data-set names vary per
 * detection, so reasons are grouped by their text with quoted parts kept (they name the blocker).
 */
export function topReasons(report: PlanReport, limit = 10): { reason: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const d of report.detections) if (d.reason) counts.set(d.reason, (counts.get(d.reason) ?? 0) + 1);
  return [...counts]
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1))
    .slice(0, limit);
}
