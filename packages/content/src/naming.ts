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
