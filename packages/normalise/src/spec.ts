import { DERIVATIONS } from './derivations.js';
import type { RawFields, RawValue } from './types.js';

/**
 * A normaliser specification: which raw events it applies to, and how their fields map onto one
 * CIM dataset. Built from an ESCU data source (`data_sources/*.yml`) or from a built-in table
 * (sourcetypes without a data source in the repository).
 */
export interface NormaliserSpec {
  /** Data-source name, e.g. `Sysmon EventID 1`. */
  name: string;
  /** Splunk sourcetype, compared case-insensitively. */
  sourcetype: string;
  /** Splunk source; `*` or undefined matches any source. Compared case-insensitively. */
  source?: string;
  /** Raw field → required value (case-insensitive); all must hold (`EventID: '1'`). */
  where: Record<string, string>;
  /** Data model and dataset, e.g. `Endpoint.Processes`. */
  dataSet: string;
  /** ESCU mapping: key `RawField|derivation|…` or `"literal"`, value `Processes.cim_field`. In order. */
  mapping: [string, string][];
}

export interface SpecProblem {
  spec: string;
  /** The mapping key (or spec property) at fault. */
  key: string;
  message: string;
}

type Getter = (ev: RawFields) => RawValue | undefined;

/** A compiled spec: one getter per CIM field (coalescing over its candidate mapping keys). */
export interface CompiledSpec {
  spec: NormaliserSpec;
  sourcetypeLc: string;
  sourceLc: string | undefined;
  where: [string, string][];
  /** [cim field (unqualified), getter] in mapping order of first appearance. */
  fields: [string, Getter][];
}

function applyChain(
  value: string,
  ev: RawFields,
  chain: { fn: (v: string, e: RawFields, a: string | undefined) => string | undefined; arg: string | undefined }[],
): string | undefined {
  let v: string | undefined = value;
  for (const step of chain) {
    if (v === undefined) return undefined;
    v = step.fn(v, ev, step.arg);
  }
  return v;
}

/** The raw fields a mapping key reads (its field plus what its derivations read). */
export function rawFieldsOfKey(key: string): string[] {
  const k = key.trim();
  if (k.length >= 2 && k.startsWith('"') && k.endsWith('"')) return [];
  const [field, ...mods] = k.split('|');
  const out = field ? [field] : [];
  for (const m of mods) out.push(...(DERIVATIONS[m.split(':')[0]!.trim()]?.reads ?? []));
  return out;
}

/** Compiles one mapping key (`Image|basename`, `"Microsoft Sysmon"`) into a getter. */
export function compileMappingKey(key: string): { get: Getter } | { error: string } {
  const k = key.trim();
  if (k.length >= 2 && k.startsWith('"') && k.endsWith('"')) {
    const literal = k.slice(1, -1);
    return { get: () => literal };
  }
  const [field, ...mods] = k.split('|');
  if (!field) return { error: `mapping key "${key}" names no raw field` };
  const chain: {
    fn: (v: string, e: RawFields, a: string | undefined) => string | undefined;
    arg: string | undefined;
  }[] = [];
  for (const m of mods) {
    const colon = m.indexOf(':');
    const name = (colon < 0 ? m : m.slice(0, colon)).trim();
    const arg = colon < 0 ? undefined : m.slice(colon + 1).trim();
    const d = DERIVATIONS[name];
    if (!d)
      return {
        error: `unknown derivation "${name}" in mapping key "${key}" (known: ${Object.keys(DERIVATIONS).join(', ')})`,
      };
    if (d.arg === 'required' && !arg)
      return { error: `derivation "${name}" needs an argument (${name}:<arg>) in mapping key "${key}"` };
    chain.push({ fn: d.apply, arg });
  }
  if (chain.length === 0) return { get: (ev) => ev[field] };
  return {
    get: (ev) => {
      const raw = ev[field];
      if (raw === undefined) return undefined;
      if (typeof raw === 'string') return applyChain(raw, ev, chain);
      const out: string[] = [];
      for (const r of raw) {
        const v = applyChain(r, ev, chain);
        if (v !== undefined) out.push(v);
      }
      return out.length ? out : undefined;
    },
  };
}

function present(v: RawValue | undefined): boolean {
  return v !== undefined && (typeof v === 'string' ? v !== '' : v.length > 0);
}

/**
 * Compiles a spec. Several keys mapping to the same CIM field coalesce in mapping order: the first
 * present, non-empty value wins (this is how `TargetUserName|dash_null` falls back to
 * `SubjectUserName`, as Splunk_TA_windows does for 4688's `user`).
 */
export function compileSpec(spec: NormaliserSpec): { compiled?: CompiledSpec; problems: SpecProblem[] } {
  const problems: SpecProblem[] = [];
  const dsRoot = spec.dataSet.split('.').pop() ?? spec.dataSet;
  const byField = new Map<string, Getter[]>();
  for (const [key, target] of spec.mapping) {
    if (typeof target !== 'string' || !target.startsWith(`${dsRoot}.`) || target.length <= dsRoot.length + 1) {
      problems.push({
        spec: spec.name,
        key,
        message: `mapping target "${String(target)}" must be "${dsRoot}.<field>" for data set ${spec.dataSet}`,
      });
      continue;
    }
    const c = compileMappingKey(key);
    if ('error' in c) {
      problems.push({ spec: spec.name, key, message: c.error });
      continue;
    }
    const field = target.slice(dsRoot.length + 1);
    const list = byField.get(field) ?? [];
    list.push(c.get);
    byField.set(field, list);
  }
  const fields: [string, Getter][] = [];
  for (const [field, getters] of byField) {
    if (getters.length === 1) fields.push([field, getters[0]!]);
    else {
      fields.push([
        field,
        (ev) => {
          for (const g of getters) {
            const v = g(ev);
            if (present(v)) return v;
          }
          return undefined;
        },
      ]);
    }
  }
  const src = spec.source?.trim();
  return {
    compiled: {
      spec,
      sourcetypeLc: spec.sourcetype.toLowerCase(),
      sourceLc: !src || src === '*' ? undefined : src.toLowerCase(),
      where: Object.entries(spec.where).map(([k, v]) => [k, String(v).toLowerCase()]),
      fields,
    },
    problems,
  };
}
