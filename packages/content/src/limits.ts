/**
 * The bounds on work that a content tree or a fixture can make dac do (issue 12: a hostile pull
 * request must not make CI run for hours, exhaust memory or overflow the stack). Each limit has a
 * default large enough for real content (ESCU's largest detection is ~20 KB with ~25 keys; its
 * largest where-clause has < 100 terms) and is changed in `dac.config.yaml`:
 *
 * ```yaml
 * limits:
 *   yaml_file_bytes: 8388608
 *   yaml_keys_per_mapping: 20000
 * ```
 *
 * Every message about a limit names its key (`limits.<key>`) so the author knows how to raise it.
 */
export interface Limits {
  /** Bytes per content YAML file; a larger file is refused before parsing. */
  yaml_file_bytes: number;
  /** Keys in one YAML mapping. */
  yaml_keys_per_mapping: number;
  /** Terms of one where-clause / search expression (AND/OR/NOT operands) a matcher is generated from. */
  where_terms: number;
  /** Decompressed bytes read from one fixture file (gzip, zip member). */
  fixture_decompressed_bytes: number;
  /**
   * Largest ratio of decompressed to compressed bytes of a gzip file or zip member, checked once
   * 64 MiB were decompressed (a "zip bomb" stops within a second instead of inflating for minutes).
   */
  fixture_decompression_ratio: number;
  /** Longest fixture line kept, in characters; a longer line is one malformed event. */
  fixture_line_length: number;
  /** Deepest nesting of objects and arrays in one JSON event; deeper is one malformed event. */
  json_depth: number;
  /** Bytes of one lookup file (CSV) that is packed into the app. */
  lookup_bytes: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  yaml_file_bytes: 4 * 1024 * 1024,
  yaml_keys_per_mapping: 10_000,
  where_terms: 1000,
  fixture_decompressed_bytes: 4 * 1024 * 1024 * 1024,
  fixture_decompression_ratio: 200,
  fixture_line_length: 16 * 1024 * 1024,
  json_depth: 512,
  lookup_bytes: 1024 * 1024 * 1024,
});

export const LIMIT_KEYS = Object.keys(DEFAULT_LIMITS) as (keyof Limits)[];

/** How to change a limit, for the tail of every limit message. */
export function howToRaise(key: keyof Limits): string {
  return `raise it with limits.${key} in dac.config.yaml, default ${DEFAULT_LIMITS[key]}`;
}

/**
 * The limits a config's `limits:` mapping asks for: positive safe integers override the defaults;
 * anything else is ignored here and reported by the config schema.
 */
export function limitsFrom(raw: unknown): Limits {
  const out: Limits = { ...DEFAULT_LIMITS };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return out;
  for (const key of LIMIT_KEYS) {
    const v = (raw as Record<string, unknown>)[key];
    if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) out[key] = v;
  }
  return out;
}
