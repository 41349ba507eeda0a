import type { FileRule } from '../types.js';

/** Today's date in UTC as YYYY-MM-DD; `DAC_TODAY` overrides it (reproducible runs and tests). */
export function todayUtc(): string {
  const now = Date.now();
  // Cached for a minute: reading the environment and formatting a date per file is measurable.
  if (today && now - today.at < 60_000) return today.value;
  const forced = process.env.DAC_TODAY;
  const value = forced && /^\d{4}-\d{2}-\d{2}$/.test(forced) ? forced : new Date(now).toISOString().slice(0, 10);
  today = { value, at: now };
  return value;
}

let today: { value: string; at: number } | undefined;

export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const y = Number(m[1]),
    mo = Number(m[2]),
    d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]!;
  return d <= days;
}

/** contentctl ≥ 5.5.15: `date` is a real ISO date and not in the future (UTC). */
export const date: FileRule = {
  id: 'date',
  scope: 'file',
  kinds: ['detection', 'story', 'data_source', 'macro', 'lookup'],
  defaultSeverity: 'error',
  description: '`date` is a real calendar date (YYYY-MM-DD) and not in the future (UTC).',
  check(ctx) {
    const date = ctx.document.date;
    const v = date.value;
    if (v === undefined || ctx.schemaFailed(date)) return [];
    if (!isCalendarDate(v)) return [{ ...ctx.pos(date), message: `date "${v}" is not a real calendar date` }];
    const today = todayUtc();
    if (v > today) return [{ ...ctx.pos(date), message: `date ${v} is in the future (today is ${today} UTC)` }];
    return [];
  },
};
