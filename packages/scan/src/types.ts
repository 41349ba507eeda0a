/**
 * What the scan needs of a detection, and what it reports. The scan knows detections only through
 * `ScanDetection`: prepared once (parsed, planned, compiled), opened once per log file, fed the
 * events the rule index routes to it, ended to give its row count.
 */
import type { SplunkEvent } from '@dac/normalise';

/** One alternative of an index clause: the value of `field` matches `value` (`*` wildcards, case-insensitive). */
export interface IndexTerm {
  readonly field: string;
  readonly value: string;
}

/** A disjunction of terms: at least one holds. */
export type IndexClause = readonly IndexTerm[];

/**
 * A negative necessary condition on one field, from `f!=p`, `NOT f=p` and `NOT f IN (…)` (never
 * a `CASE(…)` pattern: those are matched more broadly than Splunk does, which a negation would
 * turn into more narrowly). `present` (`f!=p`): some value of the field matches none of `values`
 * (a missing field fails); else (`NOT f IN`): no value matches any of them (a missing field holds).
 */
export interface IndexExclusion {
  readonly field: string;
  readonly values: readonly string[];
  readonly present: boolean;
}

/**
 * What one read of the events (a pass: a base search, a leading tstats, the first command of a
 * subsearch over the events) requires of an event. Every present dimension holds for every event
 * the pass can use; an absent one says nothing.
 */
export interface PassKeys {
  /** The event belongs to one of these data sets (`Endpoint.Processes`). */
  dataSets?: readonly string[];
  /**
   * Necessary clauses over the event's fields (`EventCode=4688`, `sourcetype=… OR source=…`,
   * `Image=*\\cmd.exe OR OriginalFileName=Cmd.Exe`): each holds for the event.
   */
  clauses?: readonly IndexClause[];
  /**
   * With exactly one data set: necessary clauses of the tstats where-clause over the event's rows
   * in it (`process_name=cmd.exe`, `process=*-enc*`): each holds for some row.
   */
  rowClauses?: readonly IndexClause[];
  /** With exactly one data set: negative conditions of the tstats where-clause, each holding for some row. */
  rowExclusions?: readonly IndexExclusion[];
}

/**
 * Necessary conditions on the events a detection can use: the event meets the keys of one of its
 * passes. Absent `passes`: any event. The index uses them only to skip work: an event that meets
 * no pass's keys changes nothing, so it is not pushed to the detection. Values are compared as
 * Splunk compares search terms (case-insensitively, `*` a wildcard).
 */
export interface IndexKeys {
  passes?: readonly PassKeys[];
}

/** One running copy of a detection over one log file: push its events, then end it. */
export interface DetectionRun {
  push(event: SplunkEvent): void;
  /** End of the log file: the detection's result row count. */
  end(): number | Promise<number>;
}

/** A replayable detection, ready to scan with. */
export interface ScanDetection {
  /** Content-relative file (`detections/endpoint/x.yml`): the detection's identity. */
  file: string;
  /** The detection's `id` (a UUID in ESCU), else its file. */
  id: string;
  name: string;
  /** ATT&CK technique ids of `tags.mitre_attack_id`. */
  techniques: readonly string[];
  keys: IndexKeys;
  /**
   * The fields the detection's searches read (the extraction projects on them); undefined:
   * every field (a bare `_raw` term, `table *`, …).
   */
  fields?: ReadonlySet<string>;
  /**
   * False for an event the detection's first command drops with no effect (@dac/search
   * `pushFilter`): such an event is not pushed, and a log none of whose events the detection
   * accepts gets the run over nothing (`rowsOnNoEvents`). Undefined: every routed event is pushed.
   */
  accepts?(event: SplunkEvent): boolean;
  open(): DetectionRun;
  /**
   * Rows of a run that is given no event (`| stats count` gives one row, `count=0`, over
   * nothing): what the detection gives on a log none of whose events the index routes to it.
   */
  rowsOnNoEvents(): number | Promise<number>;
}

/** A detection of the content that cannot be replayed, and why. */
export interface NotScanned {
  file: string;
  name: string;
  techniques: readonly string[];
  reason: string;
}

/** A detection that gave rows on a log. */
export interface ScanHit {
  /** The detection's id. */
  id: string;
  /** Content-relative file. */
  detection: string;
  name: string;
  /** The log as the user named it (a file given, or the path under a folder given). */
  log: string;
  rows: number;
  /**
   * The detection gives rows over no events at all (`| stats count` without by: one row,
   * `count=0`, as Splunk gives it), so its rows say nothing about the log: reported, but not
   * counted as a detection firing on the log (`fired`, `--expect-all`).
   */
  unconditional?: true;
}

/** What one log file held and what fired on it. */
export interface LogReport {
  log: string;
  /** The sourcetype the events were read as (`XmlWinEventLog`), or undefined when unreadable. */
  sourcetype?: string;
  events: number;
  malformed: number;
  skipped: number;
  /** Detections that gave rows on this log (content-relative files), unconditional ones excepted. */
  fired: string[];
  /** Unreadable log (missing, unknown format): the reason. */
  error?: string;
  /** Seconds spent on this file (reading, extracting, evaluating). */
  seconds: number;
}

export interface ScanSummary {
  events: number;
  logs: number;
  /** Replayable detections run. */
  detections: number;
  /** Detections that fired on at least one log (unconditional ones excepted). */
  fired: number;
  /** Detections that give rows over no events (they appear in the results of every log). */
  unconditional: number;
  /** Wall-clock seconds of the scan (reading, extracting, evaluating; preparation not included). */
  seconds: number;
  /** Seconds spent preparing the detections (parse, plan, compile). */
  prepareSeconds: number;
  notReplayable: number;
}

export interface ScanResult {
  hits: ScanHit[];
  logs: LogReport[];
  detections: readonly ScanDetection[];
  notScanned: readonly NotScanned[];
  summary: ScanSummary;
}
