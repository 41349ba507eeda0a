/**
 * Time spans of `bin`/`bucket`, tstats `span=` and transaction `maxspan`/`maxpause`, and
 * bucketing of `_time`. Splunk aligns buckets to the search's time zone; the engine uses UTC
 * (as strftime does), so day, week, month and year buckets start at UTC midnight.
 */

import { TIME_UNIT_SECONDS, TIME_UNITS } from '@dac/spl';

export type TimeSpan = { unit: 'seconds'; seconds: number } | { unit: 'months'; months: number };

/** `30s`, `5m`, `1h`, `1d`, `1w`, `1mon`, `1y`, or a bare number of seconds; undefined otherwise. */
export function parseTimeSpan(text: string): TimeSpan | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!(n > 0)) return undefined;
  const u = m[2]!.toLowerCase();
  if (u === '') return { unit: 'seconds', seconds: n };
  const k = Object.hasOwn(TIME_UNITS, u) ? TIME_UNITS[u] : undefined;
  if (k === undefined) return undefined;
  if (k === 'mon') return Number.isInteger(n) ? { unit: 'months', months: n } : undefined;
  if (k === 'q') return Number.isInteger(n) ? { unit: 'months', months: 3 * n } : undefined;
  if (k === 'y') return Number.isInteger(n) ? { unit: 'months', months: 12 * n } : undefined;
  return { unit: 'seconds', seconds: n * TIME_UNIT_SECONDS[k] };
}

/** Seconds of a span (months count as 30 days: only for maxspan-like limits). */
export function spanSeconds(s: TimeSpan): number {
  return s.unit === 'seconds' ? s.seconds : s.months * 30 * 86400;
}

/**
 * The start of the bucket `t` falls in: multiples of the span since the epoch (whole days and
 * weeks: days since 1970-01-01 UTC, so weeks start on Thursday as Splunk's epoch-aligned spans do
 * [unverified]), months since January 1970.
 */
export function bucketStart(t: number, s: TimeSpan): number {
  if (s.unit === 'seconds') return Math.floor(t / s.seconds) * s.seconds;
  const d = new Date(Math.floor(t) * 1000);
  const months = d.getUTCFullYear() * 12 + d.getUTCMonth();
  const start = Math.floor(months / s.months) * s.months;
  const out = new Date(0);
  out.setUTCFullYear(Math.floor(start / 12), start % 12, 1);
  out.setUTCHours(0, 0, 0, 0);
  return out.getTime() / 1000;
}
