/** XML escaping of rendered values, and the plain-name test the fast fields rely on. */

export function escapeText(s: string): string {
  if (!/[&<>]/.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
export function escapeAttr(s: string): string {
  if (!/[&<>'"]/.test(s)) return s;
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/'/g, '&apos;')
    .replace(/"/g, '&quot;');
}

/** A plain XML name: what `parseEventXml` reads as one name token. */
const PLAIN_NAME = /^[^\s<>/='"&!?]+$/;
const plainNames = new Map<string, boolean>();
export function isPlainName(n: string): boolean {
  let ok = plainNames.get(n);
  if (ok === undefined) {
    ok = PLAIN_NAME.test(n);
    if (plainNames.size < 10_000) plainNames.set(n, ok);
  }
  return ok;
}
