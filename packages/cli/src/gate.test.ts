import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '@dac/content';
import { baselineKey, normaliseMessage, splitByBaseline } from './gate.js';

const d = (file: string, line: number, rule: string, message: string): Diagnostic => ({
  file,
  line,
  column: 1,
  severity: 'error',
  rule,
  message,
});

describe('baseline', () => {
  it('keys by rule, detection id and message; positions quoted in a message do not count', () => {
    const subjects = new Map([['detections/a.yml', 'id:1111']]);
    expect(baselineKey(d('detections/a.yml', 3, 'r', 'm'), subjects)).toBe(
      baselineKey(d('detections/a.yml', 9, 'r', 'm'), subjects),
    );
    expect(normaliseMessage('duplicate id, also in detections/b.yml:12:3 (line 12)')).toBe(
      'duplicate id, also in detections/b.yml (line #)',
    );
  });

  it('follows a detection to a new file by its id; counts duplicates; a changed message is new', () => {
    const base = [
      d('detections/old.yml', 5, 'message-token', 'token $x$'),
      d('detections/old.yml', 6, 'message-token', 'token $x$'),
    ];
    const head = [
      d('detections/new.yml', 40, 'message-token', 'token $x$'),
      d('detections/new.yml', 41, 'message-token', 'token $x$'),
      d('detections/new.yml', 42, 'message-token', 'token $x$'),
      d('detections/new.yml', 43, 'message-token', 'token $y$'),
    ];
    const r = splitByBaseline(
      head,
      new Map([['detections/new.yml', 'id:1']]),
      base,
      new Map([['detections/old.yml', 'id:1']]),
    );
    expect(r.known.map((x) => x.line)).toEqual([40, 41]);
    expect(r.fresh.map((x) => x.line)).toEqual([42, 43]);
    // Another detection (another id) with the same problem is new.
    const other = splitByBaseline(
      [head[0]!],
      new Map([['detections/new.yml', 'id:2']]),
      base,
      new Map([['detections/old.yml', 'id:1']]),
    );
    expect(other.fresh).toHaveLength(1);
  });
});
