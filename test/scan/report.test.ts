// `dac scan --report DIR`: the HTML report is self-contained and escapes every string from content
// and logs (hostile detection and log names: `</script>`, quotes, `{{`, an <img onerror>), the
// Navigator layer has the 4.5 layer structure with real technique ids, and — in Debian's
// headless chromium when installed — the page renders, runs its script without console errors
// and shows the numbers of the JSON output.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAttack } from '@dac/validate';
import { runDac } from '../support/run-dac.js';
import { detection, NGROK_SYSMON, writeContent } from './content.js';

const HOSTILE = `</script><img src=x onerror="document.title='pwned'"> '"{{x}}\`\${y}`;
const CHROMIUM = '/usr/bin/chromium';

let dir: string;
let json: {
  results: { name: string; log: string; rows: number }[];
  summary: { events: number; logs: number; detections: number; fired: number };
  logs: { fired: number }[];
};
let hostileLog: string;

beforeAll(async () => {
  const content = writeContent({
    'hostile.yml': detection(9, HOSTILE, '`sysmon` EventCode=1 | stats count by Computer', ['T1059', 'T1055.012']),
  });
  const logs = mkdtempSync(join(tmpdir(), 'dac-scan-hostile-'));
  hostileLog = join(logs, `<b>{{log}}'".log`);
  copyFileSync(NGROK_SYSMON, hostileLog);
  dir = join(mkdtempSync(join(tmpdir(), 'dac-scan-report-')), 'made', 'here');
  const r = await runDac('scan', '--content', content, '--format', 'json', '--report', dir, '-j', '1', hostileLog);
  expect(r.code).toBe(0);
  json = JSON.parse(r.out);
});

describe('scan report', () => {
  it('creates DIR and writes index.html and layer.json (no temporary files left)', () => {
    expect(existsSync(join(dir, 'index.html'))).toBe(true);
    expect(existsSync(join(dir, 'layer.json'))).toBe(true);
    expect(spawnSync('ls', [dir]).stdout.toString().trim().split('\n').sort()).toEqual(['index.html', 'layer.json']);
  });

  it('is self-contained and escapes hostile names everywhere', () => {
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(json.results.some((r) => r.name === HOSTILE)).toBe(true);
    // Nothing loaded from elsewhere.
    expect(html).not.toMatch(/\b(src|href)=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b/i);
    // Exactly the page's two script elements; the hostile text never appears raw.
    expect(html.match(/<script\b/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('{{');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&#60;/script&#62;&#60;img src=x onerror=&#34;');
  });

  it('layer.json: Navigator layer 4.5 — versions, domain, existing technique ids, numeric scores, #rrggbb colours', () => {
    const layer = JSON.parse(readFileSync(join(dir, 'layer.json'), 'utf8'));
    const attack = loadAttack();
    expect(layer.versions).toEqual({ layer: '4.5', navigator: expect.any(String), attack: expect.any(String) });
    expect(layer.domain).toBe('enterprise-attack');
    expect(typeof layer.name).toBe('string');
    expect(layer.techniques.length).toBeGreaterThan(0);
    for (const t of layer.techniques) {
      expect(attack.get(t.techniqueID), t.techniqueID).toBeDefined();
      expect(typeof t.score).toBe('number');
      expect(Number.isFinite(t.score)).toBe(true);
      expect(t.color).toMatch(/^#[0-9a-f]{6}$/);
      expect(typeof t.comment).toBe('string');
    }
    // T1572 (both ngrok detections fired), T1059 (the hostile one fired), T1090 (tstats one).
    const score = (id: string) => layer.techniques.find((t: { techniqueID: string }) => t.techniqueID === id)?.score;
    expect(score('T1572')).toBe(2);
    expect(score('T1059')).toBe(1);
    expect(score('T1059.001')).toBe(0);
    expect(layer.gradient.colors.every((c: string) => /^#[0-9a-f]{6}$/.test(c))).toBe(true);
    expect(typeof layer.gradient.minValue).toBe('number');
    expect(typeof layer.gradient.maxValue).toBe('number');
    for (const l of layer.legendItems) {
      expect(typeof l.label).toBe('string');
      expect(l.color).toMatch(/^#[0-9a-f]{6}$/);
    }
  });

  it.skipIf(!existsSync(CHROMIUM))('renders in headless chromium: no console errors, numbers equal the JSON', () => {
    const url = pathToFileURL(join(dir, 'index.html')).href;
    const r = spawnSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        `--user-data-dir=${mkdtempSync(join(tmpdir(), 'dac-chromium-'))}`,
        '--enable-logging=stderr',
        '--v=0',
        '--virtual-time-budget=2000',
        '--dump-dom',
        url,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const dom = r.stdout;
    const consoleErrors = r.stderr.split('\n').filter((l) => /CONSOLE|Uncaught|SyntaxError/.test(l));
    expect(consoleErrors).toEqual([]);
    // The page's script ran (it checks its embedded data against what it shows).
    expect(dom).toMatch(/<body[^>]*data-checked="ok"/);
    const num = (id: string) => Number(new RegExp(`id="${id}">(\\d+)<`).exec(dom)?.[1]);
    expect(num('sum-events')).toBe(json.summary.events);
    expect(num('sum-logs')).toBe(json.summary.logs);
    expect(num('sum-detections')).toBe(json.summary.detections);
    expect(num('sum-fired')).toBe(json.summary.fired);
    expect(num('sum-results')).toBe(json.results.length);
    expect(num('sum-silent')).toBe(json.logs.filter((l) => l.fired === 0).length);
    expect((dom.match(/<tr class="det">/g) ?? []).length).toBe(json.summary.fired);
    // The heatmap is there; the hostile strings stayed text (no element, no handler ran).
    expect(dom).toMatch(/<div class="t" data-technique="T1572" data-fired="2"/);
    expect(dom).not.toContain('<img');
    expect(dom).toContain('<title>dac scan report</title>');
    writeFileSync(join(dir, 'dom.html'), dom);
  });
});
