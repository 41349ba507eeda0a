/**
 * Splunk time formatting and parsing (`strftime`, `strptime`, `convert ctime()`), in UTC.
 *
 * Splunk renders and parses times in the time zone of the search (the user's preference); the
 * local interpreter fixes UTC so that results are reproducible (splunk-semantics.md §2). The
 * conversion specifiers are Splunk's ("Date and time format variables", Search Reference):
 * `%Y %y %m %d %e %H %I %k %l %M %S %p %j %b %B %h %a %A %w %u %F %T %D %R %s %Z %z %:z %c %x %X
 * %+ %N %3N %6N %9N %Q %3Q %f %%`.
 */

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** The UTC calendar fields of an epoch time that the conversion specifiers read. */
interface BrokenDownTime {
  readonly Y: number;
  /** Month, 0-11. */
  readonly m: number;
  readonly D: number;
  readonly H: number;
  readonly M: number;
  readonly S: number;
  /** Day of the week, 0 = Sunday. */
  readonly w: number;
  /** Day of the year, 1-366. */
  readonly yday: number;
  /** Whole seconds (floor) and the fraction of a second left over. */
  readonly whole: number;
  readonly frac: number;
}

/** The calendar fields of `epochSeconds`, or undefined when it is no representable time. */
function brokenDown(epochSeconds: number): BrokenDownTime | undefined {
  if (!Number.isFinite(epochSeconds)) return undefined;
  const whole = Math.floor(epochSeconds);
  const d = new Date(whole * 1000);
  if (Number.isNaN(d.getTime())) return undefined;
  const Y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const D = d.getUTCDate();
  const yday = Math.floor((Date.UTC(Y, m, D) - Date.UTC(Y, 0, 1)) / 86400000) + 1;
  return {
    Y,
    m,
    D,
    H: d.getUTCHours(),
    M: d.getUTCMinutes(),
    S: d.getUTCSeconds(),
    w: d.getUTCDay(),
    yday,
    whole,
    frac: epochSeconds - whole,
  };
}

/** One conversion specifier `%<colon><digits><c>` (written as `all`) rendered for time `t`. */
function formatSpecifier(t: BrokenDownTime, all: string, colon: string, digits: string, c: string): string {
  const { Y, m, D, H, M, S, w, yday, whole, frac } = t;
  const fracDigits = (n: number) => frac.toFixed(9).slice(2, 2 + Math.min(9, Math.max(1, n)));
  switch (c) {
    case 'Y':
      return String(Y);
    case 'y':
      return p2(Y % 100);
    case 'm':
      return p2(m + 1);
    case 'd':
      return p2(D);
    case 'e':
      return String(D).padStart(2, ' ');
    case 'H':
      return p2(H);
    case 'k':
      return String(H).padStart(2, ' ');
    case 'I':
      return p2(H % 12 === 0 ? 12 : H % 12);
    case 'l':
      return String(H % 12 === 0 ? 12 : H % 12).padStart(2, ' ');
    case 'p':
      return H < 12 ? 'AM' : 'PM';
    case 'M':
      return p2(M);
    case 'S':
      return p2(S);
    case 'j':
      return String(yday).padStart(3, '0');
    case 'b':
    case 'h':
      return MONTHS[m]!.slice(0, 3);
    case 'B':
      return MONTHS[m]!;
    case 'a':
      return DAYS[w]!.slice(0, 3);
    case 'A':
      return DAYS[w]!;
    case 'w':
      return String(w);
    case 'u':
      return String(w === 0 ? 7 : w);
    case 'F':
      return `${Y}-${p2(m + 1)}-${p2(D)}`;
    case 'T':
      return `${p2(H)}:${p2(M)}:${p2(S)}`;
    case 'R':
      return `${p2(H)}:${p2(M)}`;
    case 'D':
      return `${p2(m + 1)}/${p2(D)}/${p2(Y % 100)}`;
    case 'c':
      return `${DAYS[w]!.slice(0, 3)} ${MONTHS[m]!.slice(0, 3)} ${String(D).padStart(2, ' ')} ${p2(H)}:${p2(M)}:${p2(S)} ${Y}`;
    case '+':
      return `${DAYS[w]!.slice(0, 3)} ${MONTHS[m]!.slice(0, 3)} ${String(D).padStart(2, ' ')} ${p2(H)}:${p2(M)}:${p2(S)} UTC ${Y}`;
    case 'x':
      return `${p2(m + 1)}/${p2(D)}/${p2(Y % 100)}`;
    case 'X':
      return `${p2(H)}:${p2(M)}:${p2(S)}`;
    case 'Z':
      return 'UTC';
    case 'z':
      return colon ? '+00:00' : '+0000';
    case 's':
      return String(whole);
    case 'N':
      return fracDigits(digits ? Number(digits) : 9);
    case 'Q':
      return fracDigits(digits ? Number(digits) : 3);
    case 'f':
      return fracDigits(6);
    case '%':
      return '%';
    default:
      return all;
  }
}

/** A conversion specifier as the formats write it: `%`, an optional `:`, one optional digit, a letter. */
const SPECIFIER = /%(:?)(\d?)([a-zA-Z%+])/g;

/**
 * The plain formatter: every specifier of the format found and rendered on each call. `strftime`
 * gives the same text through a compiled, remembering form; a property test holds the two equal.
 */
export function strftimeReference(epochSeconds: number, format: string): string {
  const t = brokenDown(epochSeconds);
  if (!t) return '';
  return format.replace(SPECIFIER, (all, colon: string, digits: string, c: string) =>
    formatSpecifier(t, all, colon, digits, c),
  );
}

/** A specifier of a compiled format (the literal text between specifiers is kept as strings). */
interface Specifier {
  readonly all: string;
  readonly colon: string;
  readonly digits: string;
  readonly c: string;
}

/** Texts remembered per format before its memo is emptied. */
const STRFTIME_MEMO_LIMIT = 4096;

/**
 * A format split once into literal texts and specifiers, with the texts it gave by time. The
 * text is a function of the format and the time alone; without `%N`/`%Q`/`%f` only the whole
 * second matters (nothing else reads the fraction), so the memo is keyed by it: result rows of
 * one search mostly share a few timestamps (`| convert ctime(firstTime)` over tstats groups
 * formats ~24k values of ~800 distinct seconds per corpus scan).
 */
class CompiledFormat {
  readonly parts: (string | Specifier)[] = [];
  private readonly readsFraction: boolean;
  private readonly memo = new Map<number, string>();

  constructor(format: string) {
    let at = 0;
    let fraction = false;
    for (const m of format.matchAll(SPECIFIER)) {
      if (m.index > at) this.parts.push(format.slice(at, m.index));
      const c = m[3]!;
      if (c === 'N' || c === 'Q' || c === 'f') fraction = true;
      this.parts.push({ all: m[0], colon: m[1]!, digits: m[2]!, c });
      at = m.index + m[0].length;
    }
    if (at < format.length) this.parts.push(format.slice(at));
    this.readsFraction = fraction;
  }

  format(epochSeconds: number): string {
    if (!Number.isFinite(epochSeconds)) return '';
    const key = this.readsFraction ? epochSeconds : Math.floor(epochSeconds);
    let text = this.memo.get(key);
    if (text === undefined) {
      text = this.render(epochSeconds);
      if (this.memo.size >= STRFTIME_MEMO_LIMIT) this.memo.clear();
      this.memo.set(key, text);
    }
    return text;
  }

  render(epochSeconds: number): string {
    const t = brokenDown(epochSeconds);
    if (!t) return '';
    let out = '';
    for (const p of this.parts) out += typeof p === 'string' ? p : formatSpecifier(t, p.all, p.colon, p.digits, p.c);
    return out;
  }
}

/** Formats compiled so far; formats come from search plans (few), emptied if ever many. */
const compiledFormats = new Map<string, CompiledFormat>();
const COMPILED_FORMATS_LIMIT = 1024;
/** Longest format compiled and remembered (characters). */
const FORMAT_MAX_CHARS = 256;

/** `strftime(epoch, format)` in UTC. Unknown specifiers are kept as written. */
export function strftime(epochSeconds: number, format: string): string {
  // A format longer than any real one (it may come from a field value) is not remembered: the
  // memos are bounded in entries, and this bounds their bytes.
  if (format.length > FORMAT_MAX_CHARS)
    return Number.isFinite(epochSeconds) ? new CompiledFormat(format).render(epochSeconds) : '';
  let f = compiledFormats.get(format);
  if (f === undefined) {
    if (compiledFormats.size >= COMPILED_FORMATS_LIMIT) compiledFormats.clear();
    compiledFormats.set(format, (f = new CompiledFormat(format)));
  }
  return f.format(epochSeconds);
}

type Part =
  | { kind: 'lit'; text: string }
  | {
      kind: 'field';
      spec: string;
      re: string;
    };

const NUM = (min: number, max: number) => `(\\d{${min},${max}})`;
const SPEC_RE: Record<string, string> = {
  Y: '([+-]?\\d{1,4})',
  y: NUM(2, 2),
  m: NUM(1, 2),
  d: NUM(1, 2),
  e: ' ?(\\d{1,2})',
  H: NUM(1, 2),
  k: ' ?(\\d{1,2})',
  I: NUM(1, 2),
  l: ' ?(\\d{1,2})',
  M: NUM(1, 2),
  S: NUM(1, 2),
  p: '([AaPp][Mm])',
  j: NUM(1, 3),
  b: '([A-Za-z]{3,9})',
  h: '([A-Za-z]{3,9})',
  B: '([A-Za-z]{3,9})',
  a: '([A-Za-z]{3,9})',
  A: '([A-Za-z]{3,9})',
  s: '(\\d{1,12})',
  N: '(\\d{1,9})',
  Q: '(\\d{1,9})',
  f: '(\\d{1,9})',
  Z: '([A-Za-z]{1,5}|[+-]\\d{2}:?\\d{2}|Z)',
  z: '(Z|[+-]\\d{2}:?\\d{2})',
};

const strptimeCache = new Map<string, { re: RegExp; specs: string[] } | null>();

function compileFormat(format: string): { re: RegExp; specs: string[] } | null {
  let hit = strptimeCache.get(format);
  if (hit !== undefined) return hit;
  const expand = (f: string): string =>
    f.replace(/%F/g, '%Y-%m-%d').replace(/%T/g, '%H:%M:%S').replace(/%R/g, '%H:%M').replace(/%D/g, '%m/%d/%y');
  const f = expand(format);
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < f.length; i++) {
    if (f[i] !== '%' || i + 1 >= f.length) {
      lit += f[i];
      continue;
    }
    let j = i + 1;
    if (f[j] === ':') j++;
    while (j < f.length && /\d/.test(f[j]!)) j++;
    const c = f[j]!;
    if (c === '%') {
      lit += '%';
      i = j;
      continue;
    }
    const re = SPEC_RE[c];
    if (!re) {
      hit = null;
      strptimeCache.set(format, hit);
      return hit;
    }
    if (lit) parts.push({ kind: 'lit', text: lit });
    lit = '';
    parts.push({ kind: 'field', spec: c, re });
    i = j;
  }
  if (lit) parts.push({ kind: 'lit', text: lit });
  const specs: string[] = [];
  let src = '^\\s*';
  for (const p of parts) {
    if (p.kind === 'lit') src += p.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ +/g, '\\s+');
    else {
      src += p.re;
      specs.push(p.spec);
    }
  }
  hit = { re: new RegExp(src, 'i'), specs };
  if (strptimeCache.size > 1000) strptimeCache.clear();
  strptimeCache.set(format, hit);
  return hit;
}

const MONTH_INDEX = new Map(
  MONTHS.flatMap((name, i) => [[name.toLowerCase(), i] as const, [name.slice(0, 3).toLowerCase(), i] as const]),
);

/**
 * `strptime(text, format)`: epoch seconds (UTC unless the text carries `%z`/`%Z` offsets), or
 * undefined when the text does not fit the format. Like Splunk, trailing text after the format
 * is ignored and missing parts default to the start of the period (1970-01-01 00:00:00).
 */
export function strptime(text: string, format: string): number | undefined {
  const f = compileFormat(format);
  if (!f) return undefined;
  const m = f.re.exec(text);
  if (!m) return undefined;
  let Y = 1970;
  let mo = 0;
  let D = 1;
  let H = 0;
  let Mi = 0;
  let S = 0;
  let frac = 0;
  let pm: boolean | undefined;
  let offsetMin = 0;
  let epoch: number | undefined;
  let yday: number | undefined;
  for (let i = 0; i < f.specs.length; i++) {
    const v = m[i + 1] ?? '';
    switch (f.specs[i]) {
      case 'Y':
        Y = Number(v);
        break;
      case 'y': {
        const n = Number(v);
        Y = n < 69 ? 2000 + n : 1900 + n; // POSIX: 69–99 → 1900s, 00–68 → 2000s
        break;
      }
      case 'm':
        mo = Number(v) - 1;
        break;
      case 'd':
      case 'e':
        D = Number(v);
        break;
      case 'H':
      case 'k':
      case 'I':
      case 'l':
        H = Number(v);
        break;
      case 'M':
        Mi = Number(v);
        break;
      case 'S':
        S = Number(v);
        break;
      case 'p':
        pm = v.toLowerCase() === 'pm';
        break;
      case 'j':
        yday = Number(v);
        break;
      case 'b':
      case 'h':
      case 'B': {
        const k = MONTH_INDEX.get(v.toLowerCase());
        if (k === undefined) return undefined;
        mo = k;
        break;
      }
      case 's':
        epoch = Number(v);
        break;
      case 'N':
      case 'Q':
      case 'f':
        frac = Number(`0.${v}`);
        break;
      case 'z':
      case 'Z': {
        const z = /^([+-])(\d{2}):?(\d{2})$/.exec(v);
        if (z) offsetMin = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
        break;
      }
      default:
        break;
    }
  }
  if (epoch !== undefined) return epoch + frac;
  if (pm !== undefined) {
    if (H < 1 || H > 12) return undefined;
    H = (H % 12) + (pm ? 12 : 0);
  }
  if (mo < 0 || mo > 11 || D < 1 || D > 31 || H > 24 || Mi > 59 || S > 61) return undefined;
  const t = utc(Y, yday === undefined ? mo : 0, yday ?? D, H, Mi, S);
  if (Number.isNaN(t)) return undefined;
  return t / 1000 + frac - offsetMin * 60;
}

/** Date.UTC without its two-digit-year quirk (Date.UTC(50, …) is 1950). */
function utc(Y: number, mo: number, D: number, H: number, Mi: number, S: number): number {
  const d = new Date(0);
  d.setUTCFullYear(Y, mo, D);
  d.setUTCHours(H, Mi, S, 0);
  return d.getTime();
}
