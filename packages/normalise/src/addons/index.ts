/**
 * Splunk add-on knowledge: what turns a raw event into the event a Splunk search sees
 * (default fields, search-time extraction by sourcetype/source, eventtypes, tags), and which
 * CIM data sets it belongs to with which fields (docs/addons.md).
 */
import type { RawEvent } from '../types.js';
import { createAddonEngine, type AddonEngine, type SplunkEvent, type StreamMeta } from './engine.js';
import { SPLUNK_ADDONS } from './tables/index.js';

export * from './model.js';
export * from './engine.js';
export * from './datamodels.js';
export * from './mappings.js';
export {
  compileEval,
  compileEvalExpr,
  parseEvalText,
  evalReads,
  type CompiledEval,
  type EvalInput,
} from './eval-compile.js';
export { compileSearchExpr, partiallyEvaluate, searchReads, type CompiledSearch } from './search-compile.js';
export { parseWinEventLogText, splitWinEventLogText, CLASSIC_HEADER } from './classic.js';
export {
  DEFAULT_JSON_DEPTH,
  JsonDepthError,
  flattenJson,
  flattenJsonValue,
  unsafeIntegerTexts,
  type FlattenOptions,
} from './json.js';
export { autoKv, cleanKey } from './kv.js';
export { punctOf, lineCount, DEFAULT_INDEX } from './defaults.js';
export { SPLUNK_ADDONS, ADDONS } from './tables/index.js';

let engine: AddonEngine | undefined;

/** The engine over the default knowledge (`SPLUNK_ADDONS`), created once. */
export function defaultAddonEngine(): AddonEngine {
  engine ??= createAddonEngine(SPLUNK_ADDONS);
  return engine;
}

/**
 * The event as a Splunk search sees it: default fields (`_time _raw host source sourcetype index
 * linecount punct`), the fields the add-ons extract and calculate for its sourcetype and source,
 * `eventtype` and `tag`. With `wanted`, only what the wanted fields need is computed.
 */
export function extractFields(raw: RawEvent, meta: StreamMeta, wanted?: ReadonlySet<string>): SplunkEvent {
  return defaultAddonEngine().extract(raw, meta, wanted);
}
export { streamFieldTables, type StreamFieldTableData } from './field-tables.js';
