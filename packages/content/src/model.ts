/**
 * Kinds of content and the plain shapes of their documents (ESCU format, contentctl 4.x): what a
 * document's value looks like after schema validation passed. The JSON Schemas in `schemas/` are
 * the source of truth for what is valid. The typed model every stage reads, which also holds
 * invalid documents and the position of each field, is in ./document.ts.
 */
export type ContentKind = 'detection' | 'macro' | 'story' | 'data_source' | 'lookup';

/** Folder of each kind under the content root (same names as splunk/security_content). */
export const CONTENT_FOLDERS: Record<ContentKind, string> = {
  detection: 'detections',
  macro: 'macros',
  story: 'stories',
  data_source: 'data_sources',
  lookup: 'lookups',
};

/** Plain shapes of valid documents (the `data` of a loaded item). */
export type DetectionType = 'TTP' | 'Anomaly' | 'Hunting' | 'Correlation' | 'Baseline' | 'Investigation';
export type DetectionStatus = 'production' | 'experimental' | 'deprecated' | 'removed';

export interface ObservableData {
  name: string;
  type: string;
  role: string[];
}

export interface DrilldownSearchData {
  name: string;
  search: string;
  earliest_offset: string;
  latest_offset: string;
}

export interface AttackDataData {
  data: string;
  source: string;
  sourcetype: string;
  update_timestamp?: boolean;
  custom_index?: string;
}

export interface DetectionTestData {
  name: string;
  /** ESCU `test_type` (`unit` default, `integration`); kept for compatibility. */
  test_type?: string;
  /**
   * dac extension: the exact number of result rows the replay must return. Absent: at least one
   * row with every observable field populated (ESCU's true-positive rule). `0` marks a benign
   * (false-positive regression) test.
   */
  expected_rows?: number;
  attack_data: AttackDataData[];
}

export interface DetectionTagsData {
  analytic_story: string[];
  asset_type: string;
  confidence: number;
  impact: number;
  message: string;
  mitre_attack_id?: string[];
  observable: ObservableData[];
  product: string[];
  required_fields: string[];
  risk_score: number;
  security_domain: string;
  cve?: string[];
  atomic_guid?: string[];
  manual_test?: string;
  [key: string]: unknown;
}

export interface DetectionData {
  name: string;
  id: string;
  version: number;
  date: string;
  author: string;
  status: DetectionStatus;
  type: DetectionType;
  description: string;
  data_source?: string[];
  search: string;
  how_to_implement: string;
  known_false_positives: string;
  references?: string[];
  drilldown_searches?: DrilldownSearchData[];
  tags: DetectionTagsData;
  tests?: DetectionTestData[];
}

export interface MacroData {
  name: string;
  definition: string;
  description: string;
  arguments?: string[];
}

export interface StoryData {
  name: string;
  id: string;
  version: number;
  date: string;
  author: string;
  description: string;
  narrative: string;
  references?: string[];
  status?: string;
  tags: { category: string[]; product: string[]; usecase: string; cve?: string[]; group?: string[] };
}

export interface FieldMappingData {
  data_model: string;
  data_set: string;
  mapping: Record<string, string>;
}

export interface DataSourceData {
  name: string;
  id: string;
  version?: number;
  date?: string;
  author?: string;
  description: string;
  source: string;
  sourcetype: string;
  separator?: string;
  supported_TA?: { name: string; url?: string; version?: string }[];
  fields?: string[];
  field_mappings?: FieldMappingData[];
  example_log?: string;
  [key: string]: unknown;
}

export interface LookupData {
  name: string;
  description: string;
  filename?: string;
  collection?: string;
  fields_list?: string;
  default_match?: string | boolean;
  match_type?: string;
  min_matches?: number;
  max_matches?: number;
  case_sensitive_match?: string | boolean;
  [key: string]: unknown;
}

export interface ContentData {
  detection: DetectionData;
  macro: MacroData;
  story: StoryData;
  data_source: DataSourceData;
  lookup: LookupData;
}
