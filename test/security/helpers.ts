// Helpers of the hostile-tree tests (issue 12): small content trees in temp folders, and readers
// that look for a secret in everything dac wrote (tarballs are gunzipped).
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const REPO = join(import.meta.dirname, '..', '..');
export const BUILD_FIXTURE = join(REPO, 'test', 'build', 'fixture');

export function scratch(name: string): string {
  return mkdtempSync(join(tmpdir(), `dac-sec-${name}-`));
}

/** The repository's own ngrok content (one tstats detection with a real Sysmon fixture), copied. */
export function ngrokContent(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const f of ['detections', 'macros', 'data_sources', 'stories', join('test', 'attack_data')])
    cpSync(join(REPO, f), join(dir, f), { recursive: true, dereference: true });
  writeFileSync(
    join(dir, 'dac.config.yaml'),
    'app:\n  appid: DAC-Sec\n  title: sec\n  label: SEC\n  prefix: SEC\n  version: 1.2.3\n  description: hostile-tree tests\nrules: {}\n',
  );
  return dir;
}

/** The app-build fixture (detections, macros, a CSV lookup, a story), copied. */
export function buildContent(dir: string): string {
  cpSync(BUILD_FIXTURE, dir, { recursive: true });
  return dir;
}

/** Every byte dac left under `dir` (gunzipped tarballs included), for secret searches; links are not followed. */
export function allOutput(dir: string): string {
  if (!existsSync(dir)) return '';
  let text = '';
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) {
        const bytes = readFileSync(p);
        text += name.endsWith('.gz') ? gunzipSync(bytes).toString('latin1') : bytes.toString('latin1');
      }
    }
  };
  walk(dir);
  return text;
}

/** A snapshot of a folder (relative path → content or link target), to show nothing changed. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(p);
      if (st.isDirectory()) {
        out.set(r, 'dir');
        walk(p, r);
      } else if (st.isFile()) out.set(r, readFileSync(p, 'latin1'));
      else out.set(r, st.isSymbolicLink() ? 'link' : 'special');
    }
  };
  if (existsSync(dir)) walk(dir, '');
  return out;
}
