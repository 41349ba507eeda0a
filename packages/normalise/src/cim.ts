import type { CimEvent, EventMeta } from './types.js';

/**
 * The CIM data-model calculated fields that run after the add-on's extractions, so that the
 * normalised event is what tstats sees. Source: Splunk_SA_CIM 4.20 `Endpoint.json`
 * (splunk-semantics.md §3.4) and the Processes base search's `eval process_integrity_level=lower(…)`.
 */
export type CalculatedFields = (ev: CimEvent, meta: EventMeta) => void;

function blank(v: CimEvent[string]): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/** CIM 4.20 `replace(X,"^\s*([^\s]+).*","\1")`: the first whitespace-separated token, quotes kept. */
function firstToken(v: string): string {
  const m = /^\s*(\S+)/.exec(v);
  return m ? m[1]! : v;
}

const FILL_UNKNOWN = ['dest', 'user', 'process', 'parent_process', 'original_file_name'] as const;

function processes(ev: CimEvent, meta: EventMeta): void {
  // process_name / parent_process_name: `case(isnotnull(x) AND x!="", x, isnotnull(process) AND
  // process!="", first token of process, 1=1, "unknown")` — evaluated before the fill below.
  for (const [name, from] of [
    ['process_name', 'process'],
    ['parent_process_name', 'parent_process'],
  ] as const) {
    if (!blank(ev[name])) continue;
    const src = ev[from];
    ev[name] = typeof src === 'string' && src !== '' ? firstToken(src) : 'unknown';
  }
  // dest, user, process, parent_process, original_file_name: `if(isnull(X) OR X="","unknown",X)`.
  for (const f of FILL_UNKNOWN) if (blank(ev[f])) ev[f] = 'unknown';
  if (blank(ev.vendor_product)) ev.vendor_product = meta.sourcetype || 'unknown';
  const il = ev.process_integrity_level;
  if (typeof il === 'string') ev.process_integrity_level = il.toLowerCase();
}

/** The fields each data set's calculation may write (pre-declared in the event shape). */
export const CIM_CALCULATED_OUTPUTS: Record<string, readonly string[]> = {
  'Endpoint.Processes': [
    'process_name',
    'parent_process_name',
    ...FILL_UNKNOWN,
    'vendor_product',
    'process_integrity_level',
  ],
};

/** Which other CIM fields a calculated field is computed from (for partial normalisation). */
export const CIM_CALCULATED_INPUTS: Record<string, Record<string, readonly string[]>> = {
  'Endpoint.Processes': { process_name: ['process'], parent_process_name: ['parent_process'] },
};

/** Calculated fields per data set (`Endpoint.Processes`). Data sets not listed get none. */
export const CIM_CALCULATED: Record<string, CalculatedFields> = {
  'Endpoint.Processes': processes,
};
