/**
 * Shapes shared by the fixture readers (@dac/replay) and the normalisers.
 */

/** A raw field value as Splunk would extract it: a string, or a multivalue list. */
export type RawValue = string | string[];

/** The fields of one raw event, named as Splunk's search-time extraction names them. */
export type RawFields = Record<string, RawValue>;

/** One event read from a fixture. */
export interface RawEvent {
  fields: RawFields;
  /** Event time in epoch seconds (may be fractional); undefined when the event carries none. */
  time?: number;
  /** 1-based line number where the event starts in its file. */
  line: number;
  /** The event's text, when the reader can re-read it with more fields (XML readers). */
  text?: string;
}

/**
 * A normalised data-model event, with UNQUALIFIED CIM field names (`process_name`, not
 * `Processes.process_name`) and `_time` in epoch seconds. Structurally the same as
 * @dac/matchers' `CimEvent`, so either can be passed where the other is expected.
 */
export type CimEvent = Record<string, string | number | string[] | null | undefined>;

/** Splunk metadata attached to every event at ingest (the test entry's source and sourcetype). */
export interface EventMeta {
  sourcetype: string;
  source: string;
  host?: string;
}
