import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { confToMap, parseConf } from './reader.js';
import {
  confControlCharacterAt,
  confValueWarning,
  ConfValueError,
  escapeConfComment,
  escapeConfValue,
  escapeStanzaName,
  normalizeConfValue,
  pyStrip,
  splunkReadValue,
  stanzaNameProblem,
} from './escape.js';

/** Strings built from the pieces that break naive .conf writers (splunk-semantics.md §6.1). */
const hostilePiece = fc.constantFrom(
  '\n',
  '\r',
  '\r\n',
  '\\',
  '\\\n',
  ' \\',
  '\\ ',
  '[x]',
  '\n[stanza]\n',
  '\nkey = v',
  '\nsearch = | delete',
  '#',
  '\n# c',
  '=',
  ' = ',
  '{{',
  '}}',
  '{{{x}}}',
  '</',
  '<script>',
  '"',
  "'",
  '&',
  '<',
  '>',
  '$user$',
  '%original_detection_search%',
  '`macro`',
  '\t',
  ' ',
  '\u00a0',
  '\u2028',
  '\u0085',
  '\x00',
  '\x1f',
  'é',
  '😀',
  '\ud800',
  '\udfff',
  'ATT&CK',
  '\\\\',
  '\n\n',
);
const hostileString = fc
  .array(fc.oneof(hostilePiece, fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 4 })), {
    maxLength: 12,
  })
  .map((parts) => parts.join(''))
  // Control characters other than tab and line breaks are refused, not written (issue 12 case 7;
  // tested below): the writable hostile strings are the rest.
  .map((s) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ''));
const safeKey = fc.stringMatching(/^[a-z][a-z0-9_.]{0,20}$/);

describe('escapeConfValue (contentctl escapeNewlines parity, splunk-semantics.md §6.1)', () => {
  it('writes newlines as space-backslash-newline and strips the value', () => {
    expect(escapeConfValue('  a\nb\n')).toBe('a \\\nb');
    expect(escapeConfValue('| tstats count\n| `x_filter`')).toBe('| tstats count \\\n| `x_filter`');
  });
  it('leaves ", <, >, &, \' and $/% untouched (no HTML escaping)', () => {
    const spl = `search a="x" b<2 c>3 "ATT&CK" 'q' $user$ %original_detection_search%`;
    expect(escapeConfValue(spl)).toBe(spl);
  });
  it('never writes a carriage return', () => {
    expect(escapeConfValue('a\r\nb\rc')).toBe('a \\\nb \\\nc');
  });
  it('gives a value ending in a backslash a trailing space so it cannot swallow the next line', () => {
    expect(escapeConfValue('C:\\Windows\\')).toBe('C:\\Windows\\ ');
    expect(confValueWarning('C:\\Windows\\')).toMatch(/backslash/);
  });
  it('strips the same whitespace as Python str.strip()', () => {
    expect(pyStrip('\u3000\x1c a b\u2029\x85')).toBe('a b');
    expect(pyStrip('\ufeffa')).toBe('\ufeffa'); // BOM is not whitespace for Python
  });
  it('prints null as an empty value and booleans like Python', () => {
    expect(escapeConfValue(null)).toBe('');
    expect(escapeConfValue(true)).toBe('True');
    expect(escapeConfValue(42)).toBe('42');
  });
  it('normalisation is idempotent', () => {
    fc.assert(fc.property(hostileString, (s) => normalizeConfValue(normalizeConfValue(s)) === normalizeConfValue(s)));
  });
});

describe('round trip through the .conf reader', () => {
  it('every value written with escapeConfValue reads back as splunkReadValue, and nothing else appears', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(safeKey, hostileString), { minLength: 1, maxLength: 6 }), (pairs) => {
        const keys = [...new Set(pairs.map(([k]) => k))];
        const byKey = new Map(pairs);
        const text = `[stanza one]\n${keys.map((k) => `${k} = ${escapeConfValue(byKey.get(k))}`).join('\n')}\n\n[stanza two]\nlast = 1\n`;
        expect(text).not.toMatch(/\r/);
        const parsed = parseConf(text);
        expect(parsed.problems).toEqual([]);
        expect(parsed.comments).toEqual([]);
        expect(parsed.stanzas.map((s) => s.name)).toEqual(['stanza one', 'stanza two']);
        expect(parsed.stanzas[0]!.entries.map((e) => e.key)).toEqual(keys);
        for (const e of parsed.stanzas[0]!.entries) expect(e.value).toBe(splunkReadValue(byKey.get(e.key)));
        expect(parsed.stanzas[1]!.entries).toEqual([{ key: 'last', value: '1', line: expect.any(Number) }]);
      }),
      { numRuns: 400 },
    );
  });

  it('the value read back differs from the input only by stripping, CR→LF, a space before each newline and after a final backslash', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const read = splunkReadValue(s);
        const expected = normalizeConfValue(s).split('\n').join(' \n');
        expect(read).toBe(expected);
        // Content other than whitespace is never altered (whitespace = Python's str.isspace set).
        const visible = (x: string) =>
          x.replace(/[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/g, '');
        expect(visible(read)).toBe(
          visible(s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')),
        );
      }),
      { numRuns: 400 },
    );
  });

  it('ESCU-shaped values (no surrounding blanks, CR or final backslash) read back with only a space before each newline', () => {
    const body = fc
      .array(
        fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('\n', '"', '<', '&', '[x]', 'k = v', '\\', '{{', '</')),
        { maxLength: 10 },
      )
      .map((p) => `a${p.join('').replace(/\r/g, '')}z`);
    fc.assert(
      fc.property(body, (s) => {
        fc.pre(pyStrip(s) === s);
        expect(splunkReadValue(s)).toBe(s.split('\n').join(' \n'));
      }),
      { numRuns: 300 },
    );
  });

  it('stanza names round-trip exactly, or are refused', () => {
    fc.assert(
      fc.property(hostileString, (name) => {
        const problem = stanzaNameProblem(name);
        if (problem) {
          expect(() => escapeStanzaName(name)).toThrow(ConfValueError);
          return;
        }
        const parsed = parseConf(`[${escapeStanzaName(name)}]\nk = v\n`);
        expect(parsed.problems).toEqual([]);
        expect(parsed.stanzas.map((s) => s.name)).toEqual([name]);
      }),
      { numRuns: 400 },
    );
  });

  it('comments stay one comment line', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const parsed = parseConf(`[a]\n# description = ${escapeConfComment(s)}\nk = v\n`);
        expect(parsed.problems).toEqual([]);
        expect(parsed.comments).toHaveLength(1);
        expect(confToMap(parsed).get('a')).toEqual(new Map([['k', 'v']]));
      }),
      { numRuns: 300 },
    );
  });

  it('an injection attempt in a value stays inside the value', () => {
    const evil = 'benign\n[ESCU - Evil - Rule]\nsearch = | delete\ndisabled = false\\';
    const parsed = parseConf(`[ESCU - Good - Rule]\ndescription = ${escapeConfValue(evil)}\ndisabled = true\n`);
    expect(parsed.stanzas).toHaveLength(1);
    const m = confToMap(parsed).get('ESCU - Good - Rule')!;
    expect([...m.keys()]).toEqual(['description', 'disabled']);
    expect(m.get('disabled')).toBe('true');
    expect(m.get('description')).toBe('benign \n[ESCU - Evil - Rule] \nsearch = | delete \ndisabled = false\\ ');
  });
});

describe('issue 12 case 7: control characters are refused, never written', () => {
  it('escapeConfValue, escapeStanzaName and escapeConfComment throw ConfValueError for NUL, VT, FF, ESC, DEL', async () => {
    const { ConfValueError, escapeConfComment, escapeConfValue, escapeStanzaName, confControlProblem } = await import(
      './escape.js'
    );
    for (const ch of ['\0', '\v', '\f', '\x1b', '\x7f']) {
      expect(() => escapeConfValue(`a${ch}b`)).toThrow(ConfValueError);
      expect(() => escapeStanzaName(`a${ch}b`)).toThrow(ConfValueError);
      expect(() => escapeConfComment(`a${ch}b`)).toThrow(ConfValueError);
    }
    expect(confControlProblem('a\vb')).toMatch(/U\+000B \(VT\) at offset 1/);
    // Tab and line breaks stay writable (a tab as itself, LF as a continuation, CR as LF).
    expect(escapeConfValue('a\tb\r\nc')).toBe('a\tb \\\nc');
  });
});

describe('the one-scan fast paths give the plain rules’ answers', () => {
  // Rules 1–5 and the control-character search as plainly written (one replace or search each).
  const plainNormalize = (s: string) => {
    const t = pyStrip(
      s
        .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
        .replace(/\r\n?/g, '\n'),
    );
    return t.endsWith('\\') ? `${t} ` : t;
  };
  const plainControlAt = (s: string) => {
    const m = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(s);
    return m ? m.index : -1;
  };
  // Control characters kept this time, and long runs of ordinary text around them.
  const anyString = fc
    .array(
      fc.oneof(
        hostilePiece,
        fc.string({ maxLength: 8 }),
        fc.string({ unit: 'binary', maxLength: 4 }),
        fc.constantFrom('\v', '\f', '\x1b', '\x7f', '\x1c', '\x08', 'x'.repeat(300)),
      ),
      { maxLength: 12 },
    )
    .map((parts) => parts.join(''));

  it('normalizeConfValue, confControlCharacterAt and escapeConfValue', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        expect(normalizeConfValue(s)).toBe(plainNormalize(s));
        expect(confControlCharacterAt(s)).toBe(plainControlAt(s));
        const n = plainNormalize(s);
        if (plainControlAt(n) >= 0) expect(() => escapeConfValue(s)).toThrow(ConfValueError);
        else expect(escapeConfValue(s)).toBe(n.replace(/\n/g, ' \\\n'));
      }),
      { numRuns: 2000 },
    );
  });
});
