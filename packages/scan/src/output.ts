/** The scan's text and JSON outputs. */
import type { ScanResult } from './types.js';

/** The JSON document of a scan (docs/scan.md): results per (detection, log) that fired, then the summary. */
export function scanJson(r: ScanResult) {
  return {
    results: r.hits.map((h) => ({
      detection: h.id,
      name: h.name,
      file: h.detection,
      log: h.log,
      rows: h.rows,
      ...(h.unconditional ? { unconditional: true } : {}),
    })),
    summary: {
      events: r.summary.events,
      logs: r.summary.logs,
      detections: r.summary.detections,
      fired: r.summary.fired,
      seconds: round3(r.summary.seconds),
      unconditional: r.summary.unconditional,
    },
    logs: r.logs.map((l) => ({
      log: l.log,
      sourcetype: l.sourcetype ?? null,
      events: l.events,
      malformed: l.malformed,
      fired: l.fired.length,
      ...(l.error ? { error: l.error } : {}),
    })),
    notReplayable: r.notScanned.map((n) => ({ file: n.file, name: n.name, reason: n.reason })),
  };
}

const s0 = (r: ScanResult) => r.summary.unconditional;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** One-line-safe text: control characters (a hostile log name) shown as `?`. */
const plain = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, '?');

/**
 * The text output: detections that fired (rows summed over logs, the logs they fired on), logs
 * that could not be read, then the summary line.
 */
export function scanText(r: ScanResult): string {
  const byDetection = new Map<string, { name: string; rows: number; logs: string[] }>();
  for (const h of r.hits) {
    let e = byDetection.get(h.detection);
    if (!e) byDetection.set(h.detection, (e = { name: h.unconditional ? `${h.name} (*)` : h.name, rows: 0, logs: [] }));
    e.rows += h.rows;
    e.logs.push(h.log);
  }
  const out: string[] = [];
  if (byDetection.size > 0)
    out.push(
      table(
        ['DETECTION', 'ROWS', 'LOGS'],
        [...byDetection.values()]
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((e) => [plain(e.name), String(e.rows), e.logs.map(plain).join(', ')]),
      ),
      '',
    );
  else out.push('no detection fired', '');
  if (s0(r) > 0)
    out.push(
      '(*) gives rows over no events at all (e.g. `| stats count` without by: count=0): not counted as firing',
      '',
    );
  for (const l of r.logs) if (l.error) out.push(`${plain(l.log)}: ${plain(l.error)}`);
  const s = r.summary;
  const silent = r.logs.filter((l) => l.fired.length === 0).length;
  out.push(
    `${s.events} events in ${s.logs} logs, ${s.detections} detections run (${s.notReplayable} not replayable), ${s.fired} fired, ${silent} logs with no detection firing; ${s.seconds.toFixed(2)} s, ${Math.round(s.events / Math.max(s.seconds, 1e-9))} events/s (preparing ${s.prepareSeconds.toFixed(2)} s)`,
  );
  return `${out.join('\n')}\n`;
}
