/**
 * Splunk's automatic key/value extraction (`KV_MODE = auto`, the default for a sourcetype no
 * add-on configures): `key=value` and `key="quoted value"` pairs anywhere in the text; values
 * trimmed of spaces (`KV_TRIM_SPACES = true`); empty values ignored ("Autokv ignores field/value
 * pairs with empty values", transforms.conf.spec 9.0.3); keys cleaned (non-alphanumerics →
 * `_`, CLEAN_KEYS). A repeated key becomes a multivalue field [uncertain].
 */
import type { RawFields } from '../types.js';

const PAIR = /(?:^|[\s,;])([A-Za-z_][A-Za-z0-9_.:-]*)=(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s,;"']*))/g;

/** Splunk key cleaning: non-alphanumerics to `_`, leading underscores and digits stripped. */
export function cleanKey(k: string): string {
  return k.replace(/[^A-Za-z0-9]/g, '_').replace(/^[_0-9]+/, '');
}

export function autoKv(text: string): RawFields {
  const out = Object.create(null) as RawFields;
  PAIR.lastIndex = 0;
  for (let m = PAIR.exec(text); m !== null; m = PAIR.exec(text)) {
    const key = cleanKey(m[1]);
    const raw = m[2] !== undefined ? m[2].replace(/\\(["\\])/g, '$1') : (m[3] ?? m[4] ?? '');
    const v = raw.replace(/^ +| +$/g, '');
    if (key === '' || v === '') continue;
    const prev = out[key];
    if (prev === undefined) out[key] = v;
    else if (typeof prev === 'string') out[key] = [prev, v];
    else prev.push(v);
  }
  return out;
}
