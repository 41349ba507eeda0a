/**
 * ESCU's file-name convention (contentctl `ensureFileNameMatchesSearchName`): the object's
 * name lowercased, with space, `-`, `.` and `/` replaced by `_`.
 * e.g. "Windows Ngrok Reverse Proxy Usage" → "windows_ngrok_reverse_proxy_usage".
 */
export function snakeCase(name: string): string {
  return name.toLowerCase().replace(/[ \-./]/g, '_');
}

/** The per-detection filter macro ESCU appends to every search: `<snake_case_name>_filter`. */
export function filterMacroName(detectionName: string): string {
  return `${snakeCase(detectionName)}_filter`;
}

/**
 * The savedsearches.conf stanza of a detection, `<label> - <name> - Rule` (contentctl; e.g.
 * `ESCU - Windows Ngrok Reverse Proxy Usage - Rule`). The label is the app's (`app.label`).
 */
export function detectionStanzaName(label: string, detectionName: string): string {
  return `${label} - ${detectionName} - Rule`;
}

/** contentctl CONTENTCTL_MAX_STANZA_LENGTH = 99 − 18: a detection's stanza must fit in 81 characters. */
export const MAX_STANZA_LENGTH = 81;
