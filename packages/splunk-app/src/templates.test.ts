import { describe, expect, it } from 'vitest';
import { assetPath } from '@dac/assets';
import { lintTemplate, loadTemplates, TemplateLintError } from './templates.js';

describe('template lint: no value is printed without an escaping helper', () => {
  it('accepts helpers, blocks, partials and comments', () => {
    expect(() =>
      lintTemplate(
        '[{{stanza name}}]\n{{#if x}}a = {{conf x}}{{else}}b = {{json y}}{{/if}}\n{{#each z}}{{> part}}{{/each}}{{!-- c --}}',
        't',
      ),
    ).not.toThrow();
  });
  it.each([
    ['a bare field', 'a = {{description}}'],
    ['a triple-stash', 'a = {{{description}}}'],
    ['an unknown helper', 'a = {{lookup x "y"}}'],
    ['a helper with two arguments', 'a = {{conf x y}}'],
    ['an unknown block helper', '{{#custom x}}a{{/custom}}'],
  ])('refuses %s', (_what, source) => {
    expect(() => lintTemplate(source, 't.hbs')).toThrow(TemplateLintError);
  });
  it('every shipped template passes the lint and compiles', () => {
    const set = loadTemplates(assetPath('templates'));
    expect(set.names).toEqual(
      expect.arrayContaining([
        'savedsearches.conf',
        'detection-stanza',
        'macros.conf',
        'analyticstories.conf',
        'app.conf',
      ]),
    );
    expect(set.staticFiles.map((f) => f.relPath)).toContain('metadata/default.meta');
  });
  it('strict mode: a field missing from the view model is an error, not an empty value', () => {
    const set = loadTemplates(assetPath('templates'));
    expect(() => set.render('content-version.conf', { app: {} })).toThrow();
  });
});
