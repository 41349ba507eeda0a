/**
 * Macros and lookups that ESCU searches call but that the content does not define: Splunk
 * Enterprise Security, its Asset and Identity framework, SA-admon and the URL Toolbox app ship
 * them on the search head. contentctl ignores the same names when it checks that every macro
 * and lookup a detection uses exists (splunk/contentctl `contentctl/objects/macro.py`
 * MACROS_TO_IGNORE and `contentctl/objects/lookup.py` LOOKUPS_TO_IGNORE; escu-app-format.md
 * §3.3). The one list both `dac validate` (unknown-macro, unknown-lookup) and `dac compile` use.
 * Each entry says where the object comes from; add one here when an add-on's object is used.
 * A content definition of the same name always wins (these are consulted only when it is absent).
 */

/** Macro name (without the `(n)` arity) → the app that defines it. */
export const EXTERNAL_MACROS: Readonly<Record<string, string>> = {
  get_asset: 'SA-IdentityManagement (Enterprise Security); contentctl MACROS_TO_IGNORE',
  get_identity4events: 'SA-IdentityManagement (Enterprise Security)',
  get_risk_severity: 'SA-ThreatIntelligence (Enterprise Security); contentctl MACROS_TO_IGNORE',
  globedistance: 'Enterprise Security (geo distance of two lat/lon pairs)',
};

/** Lookup name → the app that ships it. */
export const EXTERNAL_LOOKUPS: Readonly<Record<string, string>> = {
  ut_shannon_lookup: 'URL Toolbox app (recommended for ESCU); contentctl LOOKUPS_TO_IGNORE',
  ut_parse_extended_lookup: 'URL Toolbox app',
  ut_parse_simple_lookup: 'URL Toolbox app',
  ut_levenshtein_lookup: 'URL Toolbox app',
  ut_meaning_lookup: 'URL Toolbox app',
  ut_countset_lookup: 'URL Toolbox app',
  ut_bayesian_lookup: 'URL Toolbox app',
  identity_lookup_expanded: 'Enterprise Security Asset and Identity framework; contentctl LOOKUPS_TO_IGNORE',
  asset_lookup_by_str: 'Enterprise Security Asset and Identity framework; contentctl LOOKUPS_TO_IGNORE',
  asset_lookup_by_cidr: 'Enterprise Security Asset and Identity framework',
  alexa_lookup_by_str: 'Enterprise Security Asset and Identity framework; contentctl LOOKUPS_TO_IGNORE',
  interesting_ports_lookup: 'Enterprise Security Asset and Identity framework; contentctl LOOKUPS_TO_IGNORE',
  admon_groups_def: 'SA-admon add-on (Active Directory monitoring); contentctl LOOKUPS_TO_IGNORE',
  cim_corporate_web_domain_lookup: 'Enterprise Security / CIM; contentctl LOOKUPS_TO_IGNORE',
  cim_corporate_email_domain_lookup: 'Enterprise Security; contentctl LOOKUPS_TO_IGNORE',
  updated_cim_corporate_web_domain_lookup: 'Enterprise Security',
  cim_cloud_domain_lookup: 'Enterprise Security; contentctl LOOKUPS_TO_IGNORE',
  mitre_attack_lookup: 'Enterprise Security (MITRE ATT&CK framework lookup)',
  dnstwist_lookup: 'the dnstwist add-on for Splunk',
};

/** The app providing this macro (name with or without `(n)`), or undefined when it is not external. */
export function externalMacroSource(name: string): string | undefined {
  const bare = name.replace(/\(\d+\)$/, '');
  return Object.hasOwn(EXTERNAL_MACROS, bare) ? EXTERNAL_MACROS[bare] : undefined;
}

/** The app shipping this lookup, or undefined when it is not external. */
export function externalLookupSource(name: string): string | undefined {
  return Object.hasOwn(EXTERNAL_LOOKUPS, name) ? EXTERNAL_LOOKUPS[name] : undefined;
}
