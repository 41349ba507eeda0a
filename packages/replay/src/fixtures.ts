import { join, normalize, sep } from 'node:path';

/** Where local copies of attack_data files live, under the content root. */
export const FIXTURE_DIR = join('test', 'attack_data');

/**
 * Maps an attack_data URL to its local fixture: the path after `/master/` under
 * `<root>/test/attack_data/` (e.g. `…/attack_data/master/datasets/attack_techniques/T1572/ngrok/windows-sysmon.log`
 * → `test/attack_data/datasets/attack_techniques/T1572/ngrok/windows-sysmon.log`). There is never
 * a network fetch. Returns an error for URLs without `/master/` or with `..` segments.
 */
export function fixturePathFor(url: string, root: string): { path: string; rel: string } | { error: string } {
  const at = url.indexOf('/master/');
  if (at < 0)
    return { error: `cannot map "${url}" to a local fixture: expected an attack_data URL containing /master/` };
  let rest = url.slice(at + '/master/'.length).split(/[?#]/)[0]!;
  try {
    rest = decodeURIComponent(rest);
  } catch {
    return { error: `bad URL encoding in "${url}"` };
  }
  const parts = rest.split('/').filter((p) => p !== '');
  if (parts.length === 0 || parts.some((p) => p === '..' || p === '.' || p.includes('\\') || p.includes('\0'))) {
    return { error: `refusing fixture path "${rest}" (empty, or has . / .. / backslash segments)` };
  }
  const rel = normalize(join(FIXTURE_DIR, ...parts));
  if (!rel.startsWith(FIXTURE_DIR + sep)) return { error: `refusing fixture path "${rest}"` };
  return { path: join(root, rel), rel: rel.split(sep).join('/') };
}
