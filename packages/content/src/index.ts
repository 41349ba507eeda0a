export { compareDiagnostics, type Diagnostic, type Severity } from './diagnostic.js';
export { MAX_STANZA_LENGTH, detectionStanzaName, filterMacroName, snakeCase } from './naming.js';
export {
  CONTENT_FOLDERS,
  type AttackDataData,
  type ContentData,
  type ContentKind,
  type DataSourceData,
  type DetectionData,
  type DetectionStatus,
  type DetectionTagsData,
  type DetectionTestData,
  type DetectionType,
  type DrilldownSearchData,
  type FieldMappingData,
  type LookupData,
  type MacroData,
  type ObservableData,
  type StoryData,
} from './model.js';
export {
  documentModel,
  valuesOf,
  type AttackData,
  type ContentModel,
  type ContentModels,
  type DataSource,
  type Detection,
  type DetectionTags,
  type DetectionTest,
  type DocumentBase,
  type DrilldownSearch,
  type Field,
  type FieldMapping,
  type ListField,
  type Lookup,
  type Macro,
  type Observable,
  type Story,
  type StoryTags,
} from './document.js';
export {
  MAX_YAML_ALIASES,
  MAX_YAML_BYTES,
  documentValue,
  loadYamlFile,
  nodeAt,
  parseYamlText,
  positionAt,
  positionInScalar,
  positionOfPath,
  toRelPath,
  type PathSegment,
  type Position,
  type YamlFile,
  type YamlLimits,
} from './yaml-file.js';
export { DEFAULT_LIMITS, LIMIT_KEYS, howToRaise, limitsFrom, type Limits } from './limits.js';
export {
  CONFIG_FILE,
  CONTENTCTL_FILE,
  loadConfig,
  type AppConfig,
  type DacConfig,
  type RuleSetting,
} from './config.js';
export {
  addItem,
  discoverContent,
  itemOf,
  loadContent,
  loadItem,
  type ContentEntry,
  type ContentItem,
  type ContentTree,
} from './tree.js';
export { ensureDir, isFileSystemError } from './fs.js';
export { pythonRound, riskScoreOf } from './risk.js';
