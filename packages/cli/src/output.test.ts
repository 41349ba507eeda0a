import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  colourEnabled,
  displayPath,
  escapeWorkflowData,
  escapeWorkflowProperty,
  markdownCell,
  progress,
  workflowCommand,
} from './output.js';

/** actions/toolkit's own unescaping of a workflow command value (the runner's side). */
const unescapeWorkflow = (s: string) =>
  s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

describe('GitHub workflow commands', () => {
  it('escapes %, CR and LF in data; also : and , in properties (actions/toolkit command.ts)', () => {
    expect(escapeWorkflowData('50% done\r\nnext')).toBe('50%25 done%0D%0Anext');
    expect(escapeWorkflowProperty('a::b,c%')).toBe('a%3A%3Ab%2Cc%25');
    expect(workflowCommand('error', { file: 'x,y.yml', line: 3, col: 0, title: 'dac a::b' }, 'bad\nthing')).toBe(
      '::error file=x%2Cy.yml,line=3,col=1,title=dac a%3A%3Ab::bad%0Athing',
    );
  });

  it('no value can end the property list, start the message or break the line; unescaping gives it back', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (file, title, message) => {
        const line = workflowCommand('warning', { file, title }, message);
        expect(line).not.toMatch(/[\r\n]/);
        const [, props, ...rest] = line.split('::');
        // Exactly one `::` after the command name: the message separator.
        expect(rest.join('::')).toBe(escapeWorkflowData(message));
        expect(props!.split(',').length).toBe(2);
        expect(unescapeWorkflow(escapeWorkflowProperty(file))).toBe(file);
        expect(unescapeWorkflow(escapeWorkflowData(message))).toBe(message);
      }),
    );
  });

  it('markdown cells cannot open a new column, row or HTML tag', () => {
    expect(markdownCell('a|b\nc <script>')).toBe('a\\|b c &lt;script&gt;');
  });
});

describe('terminal output', () => {
  it('colour: FORCE_COLOR forces, NO_COLOR forbids, else only on a TTY', () => {
    expect(colourEnabled({ isTTY: true }, {})).toBe(true);
    expect(colourEnabled({ isTTY: false }, {})).toBe(false);
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourEnabled({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
    expect(colourEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });

  it('paths relative to the current folder, forward slashes, as compilers print them', () => {
    expect(displayPath('detections/a.yml', '/repo', '/repo')).toBe('detections/a.yml');
    expect(displayPath('detections/a.yml', '/repo', '/repo/detections')).toBe('a.yml');
    expect(displayPath('a.yml', '/other', '/repo')).toBe('../other/a.yml');
    expect(displayPath('/repo', '/', '/repo')).toBe('.');
  });

  it('progress is silent when not a terminal, and on a terminal only after the delay', () => {
    let written = '';
    const pipe = { isTTY: false, write: (s: string) => (written += s) };
    const p = progress('x', pipe, 0);
    p.update(1, 2, 'a');
    p.done();
    expect(written).toBe('');
    const tty = { isTTY: true, columns: 40, write: (s: string) => (written += s) };
    const late = progress('x', tty, 60_000);
    late.update(1, 2);
    late.done();
    expect(written).toBe('');
    const now = progress('validating', tty, 0);
    now.update(1, 2, 'file\x1b[31m.yml');
    now.done();
    expect(written).toBe('\r\x1b[Kvalidating [1/2] file [31m.yml\r\x1b[K');
  });
});
