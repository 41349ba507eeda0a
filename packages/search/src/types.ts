/**
 * The value model, rows, providers and diagnostics of the search engine.
 *
 * Value model (after Splunk): a field holds a string, a number or a multivalue list of them;
 * an absent field is null — a key that is missing or `undefined`. Events read from logs carry
 * strings (and `_time` as epoch seconds); `eval` produces numbers and strings (a Boolean result
 * cannot be stored in a field: Splunk's "Fields cannot be assigned a boolean result"). A
 * multivalue list is never empty and a one-element list is stored as its single value, so that
 * `x="a"` and `x=["a"]` never differ. Numbers stay numbers inside the pipeline (so `eval`, `sort`
 * and `where` see them as such) and become Splunk's strings only on output (`toSplunkRow`).
 */
import type { Span } from '@dac/spl';

export type Scalar = string | number;
export type Value = Scalar | Scalar[];
/** A result row or event: field name → value; absent = null. */
export type Row = Record<string, Value | undefined>;

/**
 * An event as the search reads it: a row with Splunk's default fields (`_time` epoch seconds,
 * `_raw`, `host`, `source`, `sourcetype`, `index`, `eventtype`, `tag`, …) and the search-time
 * extracted fields. The engine never mutates an event object (it copies those it keeps).
 */
export type Event = Readonly<Record<string, Value | null | undefined>>;

/**
 * Where a search reads its events. Every search over events (the main search, each subsearch,
 * `join`/`append` subsearches over events) iterates it once: pass a re-iterable (an array, an
 * object whose iterator opens the file anew) or a function returning a fresh iterable. A one-shot
 * iterator (a generator object) is read once and buffered when the plan needs a second pass.
 */
export type EventSource = Iterable<Event> | AsyncIterable<Event> | (() => Iterable<Event> | AsyncIterable<Event>);

// ------------------------------------------------------------------------------------ lookups

export type LookupMatchType = 'EXACT' | 'WILDCARD' | 'CIDR';

/**
 * A CSV lookup as its definition (transforms.conf / ESCU `lookups/*.yml`) describes it, with its
 * rows. Defaults are Splunk's transforms.conf defaults (LOOKUP_DEFAULTS).
 */
export interface LookupTable {
  /** Definition name (`asr_rules`) — the name `lookup`/`inputlookup` use. */
  name: string;
  /** Column names in file order. */
  fields: string[];
  /** Rows in file order: column → value ('' for an empty cell). */
  rows: readonly Readonly<Record<string, string>>[];
  /** `case_sensitive_match` (default true). */
  caseSensitive?: boolean;
  /** `match_type = WILDCARD(f), CIDR(g)`: per lookup field (default EXACT). */
  matchTypes?: Readonly<Record<string, LookupMatchType>>;
  /** `max_matches` (default 100 without time_field). */
  maxMatches?: number;
  /** `min_matches` (default 0). */
  minMatches?: number;
  /** `default_match`: the value output when fewer than min_matches rows match. */
  defaultMatch?: string;
}

/**
 * Supplies lookup tables by the name a search uses (definition name or file name `x.csv`). Return
 * `{ unavailable: reason }` for a lookup that exists but cannot be read offline (a KV store
 * collection, an external or geo lookup), undefined for an unknown one.
 */
export interface LookupProvider {
  lookup(name: string): LookupTable | { unavailable: string } | undefined;
}

// ---------------------------------------------------------------------------- data models

/** What a `tstats`/`datamodel` search asks for: `from datamodel=Endpoint.Processes where nodename=…`. */
export interface DataSetRequest {
  model: string;
  /** Data set path from the root (`['Processes']`, `['Authentication', 'Failed_Authentication']`); [] = the model's root named by the fields. */
  path: string[];
  /** The data-set prefixes of the fields the search writes (`Processes` of `Processes.dest`), in text order. */
  fieldPrefixes: string[];
}

/** One resolved data set. */
export interface DataSet {
  /** `Endpoint.Processes` (model and full path). */
  name: string;
  /**
   * The row key of a field as the search writes it (`Processes.process_name` → `process_name`);
   * default: built-in fields (`_time`, `host`, `source`, `sourcetype`, `index`…) as written, else
   * the part after the last `.`.
   */
  fieldKey?(written: string): string;
  /** The data set's rows (events that reach it, with its fields), read once per use. */
  rows(events: EventSource): Iterable<Row> | AsyncIterable<Row>;
  /** The rows of one event (none when it is not a member): lets tstats take pushed events. */
  rowsOf?(event: Event): Iterable<Row>;
}

/** Supplies data sets of data models (CIM) for `tstats`. */
export interface DataModelProvider {
  dataset(request: DataSetRequest): DataSet | { error: string };
}

// ---------------------------------------------------------------------------- diagnostics

export type SearchDiagnosticCode =
  /** The engine does not implement this command (or this form of it). */
  | 'not-replayable'
  /** The command needs live Splunk state (GeoIP, MLTK models, KV store, REST, writes). */
  | 'live-state'
  /** The arguments do not parse (a Splunk error too). */
  | 'bad-arguments';

/** A positioned problem; offsets are into the parsed (macro-expanded) search, like AST spans. */
export interface SearchDiagnostic {
  start: number;
  end: number;
  severity: 'error' | 'warning';
  code: SearchDiagnosticCode;
  /** The command it concerns (lower-case name). */
  command: string;
  message: string;
}

/** A problem met while running (per row; the run goes on, as Splunk's does). */
export interface RunWarning {
  command: string;
  message: string;
  span: Span;
}
