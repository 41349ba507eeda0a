import fc from 'fast-check';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import {
  escapeGithubData,
  escapeGithubProperty,
  escapeMarkdownCell,
  escapeTerminal,
  escapeXmlAttribute,
  escapeXmlText,
  githubCommand,
  markdownCode,
} from './index.js';

/** Any string, control characters, lone surrogates and the injection pieces made likely. */
const hostile = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.constantFrom(
        '\n',
        '\r',
        '\r\n',
        '\x1b',
        '\x1b[31m',
        '\x1b]8;;https://evil.example\x07',
        '\x9b',
        '\u202e',
        '\ud800',
        '\0',
        '::',
        '%0A',
        '%25',
        ':',
        ',',
        '|',
        '<',
        '&',
        '`',
        '\\',
      ),
    ),
  )
  .map((parts) => parts.join(''));

const TERMINAL_UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** The runner's unescaping (actions/runner `ActionCommand.cs`: `%0D`, `%0A`, then `%25`; properties also `%3A`, `%2C`). */
const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string) =>
  s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

describe('terminal (issue 12 case 5)', () => {
  it('shows control characters and ANSI/OSC escapes as visible escapes', () => {
    expect(escapeTerminal('a\x1b[31mred\x1b[0m')).toBe('a\\x1b[31mred\\x1b[0m');
    expect(escapeTerminal('x\n::error file=README.md,line=1::INJECTED')).toBe(
      'x\\n::error file=README.md,line=1::INJECTED',
    );
    expect(escapeTerminal('\x1b]8;;https://e.example\x07link')).toBe('\\x1b]8;;https://e.example\\x07link');
    expect(escapeTerminal('\0\r\x7f\x9b\u202e')).toBe('\\0\\r\\x7f\\u009b\\u202e');
    expect(escapeTerminal('tab\tand C:\\path ünïcode')).toBe('tab\tand C:\\path ünïcode');
  });

  it('property: never leaves a line break, ESC or other control character', () => {
    fc.assert(fc.property(hostile, (s) => !TERMINAL_UNSAFE.test(escapeTerminal(s))));
  });
});

describe('GitHub workflow commands (issue 12 case 5)', () => {
  it('escapes data and properties as the runner unescapes them', () => {
    expect(escapeGithubData('50%\r\nnext')).toBe('50%25%0D%0Anext');
    expect(escapeGithubProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
    expect(githubCommand('error', { file: 'x,y.yml', line: 3, title: undefined }, 'bad\n::stop-commands::x')).toBe(
      '::error file=x%2Cy.yml,line=3::bad%0A::stop-commands::x',
    );
    expect(() => githubCommand('error\n', {}, '')).toThrow(/not a workflow command name/);
  });

  it('property: one line, and the runner reads back the text (other controls shown escaped)', () => {
    const expected = (s: string) =>
      s
        .split(/(\r|\n)/)
        .map((p) => (p === '\r' || p === '\n' ? p : escapeTerminal(p)))
        .join('');
    fc.assert(
      fc.property(hostile, hostile, (file, message) => {
        const line = githubCommand('warning', { file, title: message }, message);
        const m = /^::warning file=([^,:]*),title=([^,:]*)::(.*)$/s.exec(line);
        return (
          !/[\r\n\x1b]/.test(line) &&
          m !== null &&
          unescapeProperty(m[1]!) === expected(file) &&
          unescapeProperty(m[2]!) === expected(message) &&
          unescapeData(m[3]!) === expected(message)
        );
      }),
    );
  });
});

describe('Markdown step summary (issue 12 case 5)', () => {
  it('a cell cannot end the cell or the row, open HTML or make a link', () => {
    const cell = escapeMarkdownCell('a|b\n| x |<img src=x onerror=alert(1)>[l](http://e)`c`');
    expect(cell).not.toMatch(/(?<!\\)\|/);
    expect(cell).not.toMatch(/[\n<>]/);
    expect(cell).toContain('&lt;img');
    expect(cell).toContain('\\[l\\]\\(http://e\\)');
  });

  it('code spans use a fence longer than any backtick run', () => {
    expect(markdownCode('main')).toBe('`main`');
    expect(markdownCode('a``b')).toBe('```a``b```');
    expect(markdownCode('`x')).toBe('`` `x ``');
  });

  it('property: no unescaped pipe, no line break, no HTML', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const c = escapeMarkdownCell(s);
        return !/(?<!\\)(?:\\\\)*\|/.test(c.replace(/\\\\/g, '')) && !/[\r\n<>]/.test(c);
      }),
    );
  });
});

describe('XML 1.0 / JUnit (issue 12 case 5)', () => {
  const parse = (xml: string) => {
    const p = new SaxesParser();
    let text = '';
    let attr = '';
    p.on('opentag', (t) => {
      attr = String(t.attributes.a ?? '');
    });
    p.on('text', (t) => {
      text += t;
    });
    p.write(xml).close();
    return { text, attr };
  };

  it('escapes markup and writes characters XML 1.0 forbids as visible escapes', () => {
    expect(escapeXmlText('<a>&\x1b\0')).toBe('&lt;a&gt;&amp;\\x1b\\0');
    expect(escapeXmlAttribute('"\'\n\t')).toBe('&quot;&apos;&#10;&#9;');
  });

  it('property: always well-formed, and the parser reads back the text with controls shown escaped', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const { text, attr } = parse(`<r a="${escapeXmlAttribute(s)}">${escapeXmlText(s)}</r>`);
        return text === attr && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(text);
      }),
    );
  });
});
