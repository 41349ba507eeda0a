// The real Windows captures committed under test/evtx: the rendered-text logs (`*.log`) and the
// binary EVTX samples (`samples/*.evtx`), for tests that run something over every real event
// a clean checkout has (the 281 shared captures need ../shared).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The folder they are in (test names show paths relative to it). */
export const CAPTURES_DIR = join(import.meta.dirname, '..', 'evtx');

export function committedWindowsCaptures(): string[] {
  const dir = CAPTURES_DIR;
  return [
    ...readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .map((f) => join(dir, f)),
    ...readdirSync(join(dir, 'samples'))
      .filter((f) => f.endsWith('.evtx'))
      .map((f) => join(dir, 'samples', f)),
  ];
}
