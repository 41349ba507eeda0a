/**
 * The shape of Splunk add-on knowledge as data: props.conf stanzas with their search-time
 * operations (EXTRACT, REPORT, FIELDALIAS, EVAL, LOOKUP), transforms, lookup tables, eventtypes
 * and tags. The tables in ./tables/ are written in this shape, one entry per add-on setting,
 * each with the place it comes from (`at`), so that a fact can be checked against its source and
 * changed in one place. ./engine.ts compiles them into one extraction function per input stream.
 *
 * Regular expressions in the tables are JavaScript transcriptions of the add-ons' PCRE; eval
 * expressions are SPL eval syntax (compiled by ./eval-compile.ts); eventtype searches are SPL
 * search syntax (compiled by ./search-compile.ts).
 */

/** An add-on (or other source of knowledge) the tables transcribe. */
export interface AddonRef {
  /** App id, e.g. `Splunk_TA_windows`; `dac` for choices of this project that no add-on makes. */
  id: string;
  title: string;
  /** Version the tables were read from. */
  version: string;
  /** Where that version was read: a public copy (`owner/repo@commit path`) or a documentation page. */
  seen: string;
  /** The version ESCU's own tests install, when it differs (contentctl `DEFAULT_APPS`, ESCU data sources). */
  escuVersion?: string;
  /** Known gaps between `version` and `escuVersion`, and other caveats. */
  note?: string;
}

/** Where one fact comes from inside the add-on: `props.conf [XmlWinEventLog] EVAL-process_name`. */
export type At = string;

/**
 * A REPORT transform (transforms.conf) with a SOURCE_KEY: `regex` runs on the first value of the
 * `from` field (`_raw` for the event text); `out` names the fields its groups fill
 * (`{ user: 1 }` for `FORMAT = user::$1`, quotes around `$1` dropped). Splunk keeps the FIRST
 * value a field gets (a later transform's value is discarded) unless `mvAdd` (MV_ADD = true);
 * `repeat` is REPEAT_MATCH.
 */
export interface Transform {
  name: string;
  from: string;
  regex: string;
  flags?: string;
  out: Record<string, number | string>;
  mvAdd?: boolean;
  repeat?: boolean;
  at: At;
}

export interface LookupTable {
  name: string;
  /** Column names, in order. */
  columns: string[];
  /** Rows; an empty cell is no value (Splunk does not output empty lookup values). */
  rows: string[][];
  /** `case_sensitive_match` (transforms.conf); Splunk's default is true. */
  caseSensitive?: boolean;
  at: At;
}

export type KnowledgeOp =
  /** EXTRACT-<class>: a regex with named groups on `from` (default `_raw`). */
  | { kind: 'extract'; cls: string; from?: string; regex: string; flags?: string; at: At }
  /** REPORT-<class>: transforms run in the listed order. */
  | { kind: 'report'; cls: string; transforms: Transform[]; at: At }
  /**
   * FIELDALIAS-<class>: `AS` copies (and, since Splunk 7.2.4, removes the alias when the source
   * field is missing); `ASNEW` only creates the alias when it does not exist yet.
   */
  | { kind: 'alias'; cls: string; pairs: { from: string; to: string; asnew?: boolean }[]; at: At }
  /** EVAL-<field>: all EVALs of a stream see the fields as they were before any EVAL ran. */
  | { kind: 'eval'; field: string; expr: string; at: At }
  /** LOOKUP-<class>: `inputs` [column, event field]; `outputs` [column, event field]. */
  | {
      kind: 'lookup';
      cls: string;
      table: LookupTable;
      inputs: [string, string][];
      outputs: [string, string][];
      /** OUTPUTNEW: write only fields the event does not have yet; OUTPUT overwrites. */
      outputNew: boolean;
      at: At;
    };

/**
 * A props.conf stanza: `[<sourcetype>]` or `[source::<pattern>]` (Splunk's source patterns:
 * `...` any characters, `*` any characters but `/`). Settings of a source stanza override the
 * same setting of a sourcetype stanza (props.conf precedence: source > host > sourcetype).
 */
export interface Stanza {
  addon: AddonRef;
  match: { sourcetype: string } | { source: string };
  ops: KnowledgeOp[];
  /** `KV_MODE` of a sourcetype stanza (`none`, `json`, `auto`, …); Splunk's default is `auto`. */
  kvMode?: 'none' | 'auto' | 'json' | 'xml';
  /** A comment on the stanza as a whole. */
  note?: string;
}

/** eventtypes.conf `[name] search = …` with the tags tags.conf gives `eventtype=name`. */
export interface Eventtype {
  name: string;
  search: string;
  tags: string[];
  addon: AddonRef;
  at: At;
}

/** tags.conf `[field=value]` tags other than eventtype tags (e.g. `[object_category=file]`). */
export interface FieldTag {
  field: string;
  value: string;
  tags: string[];
  addon: AddonRef;
  at: At;
}

/**
 * How raw text of a sourcetype becomes base fields before any add-on setting runs:
 * `xml` — the Windows XML rendering, parsed by the fixture reader (Splunk_TA_windows'
 * REPORT-0xml_kv_extract); `wineventlog` — classic multi-line `Key=Value` text (Splunk's default
 * WinEventLog extraction); `json` — KV_MODE=json; `kv` — KV_MODE=auto `key=value` pairs.
 */
export interface InputProfile {
  sourcetypes: string[];
  format: 'xml' | 'wineventlog' | 'json' | 'kv';
  /** Fields that give `host` when the test names none (the forwarder's host is the event's computer). */
  hostFields?: string[];
  /** Keep fields whose value is the empty string (JSON keeps them; regex extractions do not). */
  keepEmpty?: boolean;
  at: At;
}

/** All the knowledge the engine applies. */
export interface Knowledge {
  inputs: InputProfile[];
  stanzas: Stanza[];
  eventtypes: Eventtype[];
  fieldTags: FieldTag[];
}
