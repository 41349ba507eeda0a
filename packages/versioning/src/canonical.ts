import { createHash } from 'node:crypto';

/**
 * JSON text of a parsed YAML value with object keys sorted at every level, so key order,
 * formatting, quoting style and comments (none of which survive parsing) do not matter.
 * Array order does matter: it is part of the meaning (search pipelines, drilldowns, tests).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalise(value));
}

function normalise(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map(normalise);
  if (v instanceof Map) return normalise(Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), x])));
  if (v instanceof Set) return [...v].map(normalise);
  if (v instanceof Date) return { $date: Number.isNaN(v.getTime()) ? String(v) : v.toISOString() };
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) };
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) out[k] = normalise(o[k]);
    return out;
  }
  return v;
}

/** Top-level keys that do not belong to a detection's meaning: they record the change itself. */
export const VERSION_KEYS = ['version', 'date'] as const;

/**
 * SHA-256 of a content object's canonical JSON without the given top-level keys: two versions
 * of a detection with the same hash mean the same thing, however they are formatted.
 */
export function meaningHash(value: unknown, omit: readonly string[] = VERSION_KEYS): string {
  let v = value;
  if (omit.length > 0 && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const o: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const k of omit) delete o[k];
    v = o;
  }
  return createHash('sha256').update(canonicalJson(v)).digest('hex');
}
