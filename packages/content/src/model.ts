/**
 * The content model: TypeScript shapes of ESCU-format YAML (contentctl 4.x format).
 * The JSON Schemas in `schemas/` are the source of truth for what is valid; these types describe
 * what later stages may rely on *after* schema validation passed.
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

export type DetectionType = 'TTP' | 'Anomaly' | 'Hunting' | 'Correlation' | 'Baseline' | 'Investigation';
export type DetectionStatus = 'production' | 'experimental' | 'deprecated' | 'removed';

export interface Observable {
  name: string;
  type: string;
  role: string[];
}

export interface DrilldownSearch {
  name: string;
  search: string;
  earliest_offset: string;
  latest_offset: string;
}

export interface AttackData {
  data: string;
  source: string;
  sourcetype: string;
  update_timestamp?: boolean;
  custom_index?: string;
}

export interface DetectionTest {
  name: string;
  /** ESCU `test_type` (`unit` default, `integration`); kept for compatibility. */
  test_type?: string;
  /**
   * dac extension: the exact number of result rows the replay must return. Absent: at least one
   * row with every observable field populated (ESCU's true-positive rule). `0` marks a benign
   * (false-positive regression) test.
   */
  expected_rows?: number;
  attack_data: AttackData[];
}

export interface DetectionTags {
  analytic_story: string[];
  asset_type: string;
  confidence: number;
  impact: number;
  message: string;
  mitre_attack_id?: string[];
  observable: Observable[];
  product: string[];
  required_fields: string[];
  risk_score: number;
  security_domain: string;
  cve?: string[];
  atomic_guid?: string[];
  manual_test?: string;
  [key: string]: unknown;
}

export interface Detection {
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
  drilldown_searches?: DrilldownSearch[];
  tags: DetectionTags;
  tests?: DetectionTest[];
}

export interface Macro {
  name: string;
  definition: string;
  description: string;
  arguments?: string[];
}

export interface Story {
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

export interface FieldMapping {
  data_model: string;
  data_set: string;
  mapping: Record<string, string>;
}

export interface DataSource {
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
  field_mappings?: FieldMapping[];
  example_log?: string;
  [key: string]: unknown;
}

export interface Lookup {
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

export interface ContentTypes {
  detection: Detection;
  macro: Macro;
  story: Story;
  data_source: DataSource;
  lookup: Lookup;
}
