/**
 * `dac scan --report DIR`: a self-contained HTML report (inline CSS, JS and SVG; nothing loaded
 * from the network) — an ATT&CK matrix heatmap of the techniques the content covers against the
 * techniques that fired on the logs, per-log and per-detection tables — and an ATT&CK Navigator
 * layer (`layer.json`, layer format 4.5) of the same. Every string that comes from content or
 * logs is HTML-escaped; the embedded JSON escapes `<`, so no value can close the script element.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AttackIndex } from '@dac/validate';
import { scanJson } from './output.js';
import type { ScanResult } from './types.js';

/** Enterprise ATT&CK tactics in matrix order (the columns of the heatmap). */
export const TACTICS = [
  'Reconnaissance',
  'Resource Development',
  'Initial Access',
  'Execution',
  'Persistence',
  'Privilege Escalation',
  'Defense Evasion',
  'Credential Access',
  'Discovery',
  'Lateral Movement',
  'Collection',
  'Command and Control',
  'Exfiltration',
  'Impact',
] as const;

/**
 * Navigator and ATT&CK versions written in the layer. The bundled technique list
 * (schemas/attack/mitre_enrichment.csv, ESCU 4.42, October 2024) matches ATT&CK v15; layer
 * format 4.5 is the one Navigator 4.9 reads and writes.
 */
export const LAYER_VERSIONS = { layer: '4.5', navigator: '4.9.1', attack: '15' } as const;

export const COLOR_FIRED = '#d62728';
export const COLOR_COVERED = '#9ecae1';

export interface TechniqueCoverage {
  id: string;
  name: string;
  tactics: string[];
  /** Detections of the content tagged with it (replayable or not). */
  detections: number;
  /** Of those, the ones that fired on some log. */
  fired: number;
}

/** Techniques of the content's detections with how many detections cover them and how many fired. */
export function coverage(r: ScanResult, attack: AttackIndex): TechniqueCoverage[] {
  const firedFiles = new Set(r.hits.filter((h) => !h.unconditional).map((h) => h.detection));
  const out = new Map<string, TechniqueCoverage>();
  const add = (id: string, fired: boolean) => {
    let c = out.get(id);
    if (!c) {
      const t = attack.get(id);
      const parent = id.includes('.') ? attack.get(id.split('.')[0]!) : undefined;
      c = {
        id,
        name: t?.name ?? parent?.name ?? id,
        tactics: t?.tactics ?? parent?.tactics ?? [],
        detections: 0,
        fired: 0,
      };
      out.set(id, c);
    }
    c.detections++;
    if (fired) c.fired++;
  };
  for (const d of r.detections) for (const t of new Set(d.techniques)) add(t, firedFiles.has(d.file));
  for (const d of r.notScanned) for (const t of new Set(d.techniques)) add(t, false);
  return [...out.values()].sort((a, b) => a.id.localeCompare(b.id));
}

const HEX = (n: number) => n.toString(16).padStart(2, '0');
/** White → red by the share of the maximum. */
function heat(score: number, max: number): string {
  const k = max > 0 ? score / max : 0;
  const lerp = (a: number, b: number) => Math.round(a + (b - a) * (0.25 + 0.75 * k));
  return `#${HEX(lerp(0xff, 0xd6))}${HEX(lerp(0xff, 0x27))}${HEX(lerp(0xff, 0x28))}`;
}

/** The ATT&CK Navigator layer (format 4.5): score = detections that fired, grey-blue = covered only. */
export function navigatorLayer(r: ScanResult, attack: AttackIndex) {
  const cov = coverage(r, attack).filter((c) => attack.get(c.id));
  const max = Math.max(1, ...cov.map((c) => c.fired));
  return {
    name: 'dac scan',
    versions: { ...LAYER_VERSIONS },
    domain: 'enterprise-attack',
    description: `Techniques of ${r.summary.detections + r.summary.notReplayable} detections; score = detections that fired on ${r.summary.logs} logs`,
    sorting: 3,
    hideDisabled: false,
    techniques: cov.map((c) => ({
      techniqueID: c.id,
      score: c.fired,
      color: c.fired > 0 ? heat(c.fired, max) : COLOR_COVERED,
      comment: `${c.fired} of ${c.detections} detection(s) fired`,
      enabled: true,
    })),
    gradient: { colors: ['#ffffff', COLOR_FIRED], minValue: 0, maxValue: max },
    legendItems: [
      { label: 'fired on the logs', color: COLOR_FIRED },
      { label: 'covered by the content, did not fire', color: COLOR_COVERED },
    ],
    showTacticRowBackground: false,
    selectTechniquesAcrossTactics: true,
    selectSubtechniquesWithParent: false,
  };
}

/** HTML text escaping (element content and quoted attribute values). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`{}]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON safe inside a <script> element: `<`, `>`, `&`, U+2028/2029 as escapes, and `{{` (a
 * template opener; outside strings JSON never has two braces in a row) as `{\u007b`.
 */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\{\{/g, '{\\u007b');
}

const CSS = `body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right}.matrix{display:flex;gap:4px;overflow-x:auto;align-items:flex-start}
.tactic{min-width:120px;max-width:160px}.tactic h3{font-size:.8em;margin:0 0 4px;background:#333;color:#fff;padding:4px}
.t{font-size:.72em;padding:3px;margin-bottom:2px;border:1px solid #bbb;overflow-wrap:anywhere}.summary span{font-weight:bold}
.legend svg{vertical-align:middle}`;

/** The report page. */
export function reportHtml(r: ScanResult, attack: AttackIndex): string {
  const json = scanJson(r);
  const cov = coverage(r, attack);
  const max = Math.max(1, ...cov.map((c) => c.fired));
  const e = escapeHtml;
  const s = r.summary;
  const silent = r.logs.filter((l) => l.fired.length === 0).length;
  const columns = [...TACTICS, 'Other'].map((tactic) => {
    const ts = cov.filter((c) =>
      tactic === 'Other'
        ? !c.tactics.some((t) => (TACTICS as readonly string[]).includes(t))
        : c.tactics.includes(tactic),
    );
    if (ts.length === 0) return '';
    const cells = ts
      .map(
        (c) =>
          `<div class="t" data-technique="${e(c.id)}" data-fired="${c.fired}" style="background:${c.fired > 0 ? heat(c.fired, max) : COLOR_COVERED}" title="${e(`${c.fired} of ${c.detections} detection(s) fired`)}">${e(c.id)} ${e(c.name)}<br>${c.fired}/${c.detections}</div>`,
      )
      .join('');
    return `<div class="tactic"><h3>${e(tactic)}</h3>${cells}</div>`;
  });
  const byDet = new Map<string, { id: string; name: string; rows: number; logs: string[] }>();
  for (const h of r.hits) {
    if (h.unconditional) continue;
    let d = byDet.get(h.detection);
    if (!d) byDet.set(h.detection, (d = { id: h.id, name: h.name, rows: 0, logs: [] }));
    d.rows += h.rows;
    d.logs.push(h.log);
  }
  const detRows = [...byDet.entries()]
    .sort((a, b) => a[1].name.localeCompare(b[1].name))
    .map(
      ([file, d]) =>
        `<tr class="det"><td>${e(d.name)}</td><td>${e(file)}</td><td class="n">${d.rows}</td><td class="n">${d.logs.length}</td></tr>`,
    )
    .join('\n');
  const logRows = r.logs
    .map(
      (l) =>
        `<tr class="log"><td>${e(l.log)}</td><td>${e(l.sourcetype ?? '')}</td><td class="n">${l.events}</td><td class="n">${l.fired.length}</td><td>${e(l.error ?? '')}</td></tr>`,
    )
    .join('\n');
  const swatch = (c: string) =>
    `<svg width="14" height="14" aria-hidden="true"><rect width="14" height="14" fill="${c}" stroke="#888"/></svg>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>dac scan report</title><style>${CSS}</style></head>
<body>
<h1>dac scan</h1>
<p class="summary"><span id="sum-events">${s.events}</span> events in <span id="sum-logs">${s.logs}</span> logs;
<span id="sum-detections">${s.detections}</span> detections run (<span id="sum-not-replayable">${s.notReplayable}</span> not replayable),
<span id="sum-fired">${s.fired}</span> fired; <span id="sum-silent">${silent}</span> logs with no detection firing;
<span id="sum-results">${r.hits.length}</span> results; ${s.seconds.toFixed(2)} s.</p>
<h2>ATT&amp;CK coverage</h2>
<p class="legend">${swatch(COLOR_FIRED)} fired on the logs (darker: more detections) &nbsp; ${swatch(COLOR_COVERED)} covered by the content, did not fire &nbsp; cells: fired/covering detections.
<span id="sum-techniques">${cov.length}</span> techniques covered, <span id="sum-techniques-fired">${cov.filter((c) => c.fired > 0).length}</span> fired.</p>
<div class="matrix" id="matrix">${columns.join('')}</div>
<h2>Detections that fired</h2>
<table id="detections"><thead><tr><th>detection</th><th>file</th><th>rows</th><th>logs</th></tr></thead><tbody>
${detRows}
</tbody></table>
<h2>Logs</h2>
<table id="logs"><thead><tr><th>log</th><th>sourcetype</th><th>events</th><th>detections fired</th><th>problem</th></tr></thead><tbody>
${logRows}
</tbody></table>
<script type="application/json" id="scan-data">${scriptJson(json)}</script>
<script>
(function () {
  var data = JSON.parse(document.getElementById('scan-data').textContent);
  // The page's own check: the embedded results agree with the tables it shows.
  var ok = data.results.length === Number(document.getElementById('sum-results').textContent) &&
    data.summary.events === Number(document.getElementById('sum-events').textContent);
  document.body.setAttribute('data-checked', ok ? 'ok' : 'mismatch');
})();
</script>
</body></html>
`;
}

/** Writes `text` to `path` atomically (a temporary file beside it, then a rename). */
function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Writes `index.html` and `layer.json` into `dir` (created when missing). */
export function writeReport(dir: string, r: ScanResult, attack: AttackIndex): { html: string; layer: string } {
  mkdirSync(dir, { recursive: true });
  const html = join(dir, 'index.html');
  const layer = join(dir, 'layer.json');
  writeAtomic(html, reportHtml(r, attack));
  writeAtomic(layer, `${JSON.stringify(navigatorLayer(r, attack), null, 2)}\n`);
  return { html, layer };
}
