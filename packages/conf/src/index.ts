export {
  TRIM_TRAILING_VALUE_WHITESPACE,
  confToMap,
  parseConf,
  type ConfEntry,
  type ConfFile,
  type ConfProblem,
  type ConfStanza,
} from './reader.js';
export {
  ConfValueError,
  confControlCharacterAt,
  confControlProblem,
  controlCharacterName,
  confValueWarning,
  escapeConfComment,
  escapeConfValue,
  escapeStanzaName,
  normalizeConfValue,
  pyStrip,
  splunkReadValue,
  stanzaNameProblem,
} from './escape.js';
