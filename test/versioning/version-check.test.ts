// The version gate (issue 6), on throw-away git repositories. Why the rules exist: ESCU enforces
// bumps only at release time, by hashing rendered savedsearches.conf stanzas against the last
// Splunkbase build (escu-app-format.md §7: VersionBumpingError "should be bumped to previous+1",
// VersionBumpingTooFarError, DetectionIDError, DetectionMissingError; dates not in the future
// since contentctl v5.5.15). dac checks the same at pull-request time, from the YAML.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { changedDateRule, checkVersions, VersioningError, type VersionCheckOptions } from '@dac/versioning';
import { makeRepo, NGROK_ID, NGROK_REL, NGROK_TEXT, otherDetection, TempRepo } from './repo.js';

const NOW = new Date('2025-01-15T12:00:00Z');
const TODAY = '2025-01-15';
const SEARCH_CHANGE = (t: string) => t.replace('"*tcp*")', '"*tcp*", "*tls*")');
const BUMP_TO =
  (v: number, date = TODAY) =>
  (t: string) =>
    t.replace(/^version: 5$/m, `version: ${v}`).replace("date: '2024-09-30'", `date: '${date}'`);

let repo: TempRepo | undefined;
afterEach(() => {
  repo?.dispose();
  repo = undefined;
});
const check = (extra: Partial<VersionCheckOptions> = {}) =>
  checkVersions({ contentRoot: repo!.dir, base: 'main', now: NOW, ...extra });
const errors = (r: ReturnType<typeof check>) => r.diagnostics.filter((d) => d.severity === 'error');

describe('dac version-check: version and date rules, detections matched by id', () => {
  it('a changed search without a bump ⇒ "version must be 6" at the version: line', () => {
    repo = makeRepo();
    repo.edit(NGROK_REL, SEARCH_CHANGE);
    repo.addChangeset('tls', 'patch');
    const r = check();
    const version = r.diagnostics.find((d) => d.rule === 'version-bump');
    expect(version).toMatchObject({ file: NGROK_REL, line: 4, column: 1, severity: 'error' });
    expect(version!.message).toContain('version must be 6');
    const date = r.diagnostics.find((d) => d.rule === 'version-date');
    expect(date).toMatchObject({ file: NGROK_REL, line: 5, column: 1 });
    expect(date!.message).toContain(`date must be ${TODAY}`);
    expect(r.detections).toMatchObject([{ id: NGROK_ID, change: 'changed', baseVersion: 5 }]);
  });

  it('bump to 6 with a new date (and a changeset) ⇒ passes', () => {
    repo = makeRepo();
    repo.edit(NGROK_REL, (t) => BUMP_TO(6)(SEARCH_CHANGE(t)));
    repo.addChangeset('tls', 'patch');
    const r = check();
    expect(r.diagnostics).toEqual([]);
    expect(r.suggestedBump).toBe('patch');
    expect(r.changeset).toMatchObject({
      checked: true,
      package: '@dac/app',
      level: 'patch',
      files: ['.changeset/tls.md'],
    });
  });

  it('bump to 7 ⇒ error: version must be 6 (bump by exactly one, contentctl VersionBumpingTooFarError)', () => {
    repo = makeRepo();
    repo.edit(NGROK_REL, (t) => BUMP_TO(7)(SEARCH_CHANGE(t)));
    repo.addChangeset('tls', 'patch');
    const e = errors(check());
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ line: 4, rule: 'version-bump' });
    expect(e[0]!.message).toMatch(/^version must be 6: .*bump by exactly one/);
  });

  it('date kept from an earlier base date, or in the future ⇒ error with the required date', () => {
    repo = makeRepo();
    repo.edit(NGROK_REL, (t) => BUMP_TO(6, '2024-09-30')(SEARCH_CHANGE(t)));
    repo.addChangeset('tls', 'patch');
    expect(errors(check()).map((d) => [d.line, d.message.slice(0, 23)])).toEqual([[5, `date must be ${TODAY}`]]);
    repo.edit(NGROK_REL, (t) => t.replace("date: '2024-09-30'", "date: '2025-01-16'"));
    const e = errors(check());
    expect(e).toHaveLength(1);
    expect(e[0]!.message).toContain('2025-01-16 is in the future');
  });

  it('only a comment, quoting or key order changed ⇒ no bump and no changeset needed', () => {
    repo = makeRepo();
    repo.edit(NGROK_REL, (t) => {
      const lines = t.split('\n');
      // Swap `author:` and `status:`, requote the date, add comments.
      const a = lines.findIndex((l) => l.startsWith('author:'));
      const s = lines.findIndex((l) => l.startsWith('status:'));
      [lines[a], lines[s]] = [lines[s]!, lines[a]!];
      return lines
        .join('\n')
        .replace("date: '2024-09-30'", 'date: "2024-09-30"  # reviewed')
        .replace('tags:\n', '# ATT&CK and risk\ntags:\n');
    });
    const r = check();
    expect(r.diagnostics).toEqual([]);
    expect(r.detections).toMatchObject([{ change: 'unchanged' }]);
    expect(r.contentChanges).toEqual([]);
    expect(r.suggestedBump).toBeUndefined();
  });

  it('a bump without a change ⇒ error: version must stay 5 (it would hide real changes)', () => {
    repo = makeRepo();
    repo.edit(NGROK_REL, BUMP_TO(6));
    const e = errors(check());
    expect(e.map((d) => [d.line, d.rule])).toEqual([
      [4, 'version-bump'],
      [5, 'version-date'],
    ]);
    expect(e[0]!.message).toMatch(/^version must be 5: nothing but version\/date changed/);
    expect(e[1]!.message).toMatch(/^date must be 2024-09-30/);
  });

  it('moving the file to another folder is followed by id (no bump, no removal)', () => {
    repo = makeRepo();
    repo.move(NGROK_REL, 'detections/network/ngrok_renamed.yml');
    const r = check();
    expect(r.diagnostics).toEqual([]);
    expect(r.detections).toEqual([
      expect.objectContaining({
        id: NGROK_ID,
        change: 'unchanged',
        file: 'detections/network/ngrok_renamed.yml',
        movedFrom: NGROK_REL,
      }),
    ]);
  });

  it('a moved and changed detection still needs its bump, at the new path', () => {
    repo = makeRepo();
    repo.move(NGROK_REL, 'detections/network/ngrok.yml');
    repo.edit('detections/network/ngrok.yml', SEARCH_CHANGE);
    repo.addChangeset('tls', 'patch');
    const e = errors(check());
    expect(e.map((d) => [d.file, d.line, d.message.slice(0, 17)])).toEqual([
      ['detections/network/ngrok.yml', 4, 'version must be 6'],
      ['detections/network/ngrok.yml', 5, `date must be ${TODAY}`.slice(0, 17)],
    ]);
  });

  it('changing the id of an existing file ⇒ error at id: naming the old id (contentctl DetectionIDError)', () => {
    repo = makeRepo();
    repo.edit(NGROK_REL, (t) => t.replace(NGROK_ID, '11111111-2222-4333-8444-555555555555'));
    repo.addChangeset('id', 'major');
    const e = errors(check());
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ file: NGROK_REL, line: 3, column: 1, rule: 'version-id' });
    expect(e[0]!.message).toContain(`id must be ${NGROK_ID}`);
  });

  it('a deleted detection ⇒ error unless --allow-removal (then a major bump is required)', () => {
    repo = makeRepo();
    repo.remove(NGROK_REL);
    let r = check();
    expect(errors(r).map((d) => [d.file, d.rule])).toEqual([
      [NGROK_REL, 'version-removed'],
      ['packages/app/package.json', 'changeset'],
    ]);
    expect(errors(r).find((d) => d.rule === 'version-removed')!.message).toContain('status: deprecated');
    repo.addChangeset('gone', 'minor');
    r = check({ allowRemoval: true });
    expect(r.suggestedBump).toBe('major');
    expect(errors(r).map((d) => [d.rule, d.message.includes('needs major')])).toEqual([['changeset', true]]);
    repo.addChangeset('gone', 'major');
    expect(check({ allowRemoval: true }).diagnostics).toEqual([]);
  });

  it('a duplicate id ⇒ error at the second file', () => {
    repo = makeRepo();
    repo.write(
      'detections/endpoint/copy.yml',
      NGROK_TEXT.replace('name: Windows Ngrok Reverse Proxy Usage', 'name: Copy'),
    );
    const e = errors(check());
    expect(e.find((d) => d.rule === 'duplicate-id')).toMatchObject({ file: 'detections/endpoint/copy.yml', line: 3 });
  });

  it('a new detection starts at version 1; an imported one may keep a higher version; 0 is an error', () => {
    repo = makeRepo();
    const id = '0f0e0d0c-0b0a-4909-8807-060504030201';
    repo.write('detections/endpoint/new.yml', otherDetection(id, 1));
    repo.addChangeset('new', 'minor');
    let r = check();
    expect(r.diagnostics).toEqual([]);
    expect(r.suggestedBump).toBe('minor');
    expect(r.detections.find((d) => d.change === 'new')).toMatchObject({ id, file: 'detections/endpoint/new.yml' });
    repo.write('detections/endpoint/new.yml', otherDetection(id, 3));
    expect(check().diagnostics).toEqual([]);
    repo.write('detections/endpoint/new.yml', otherDetection(id, 0));
    r = check();
    expect(errors(r)).toMatchObject([{ file: 'detections/endpoint/new.yml', line: 4, rule: 'version-bump' }]);
    expect(errors(r)[0]!.message).toMatch(/^version must be 1/);
  });

  it('compares with the merge base, so base-branch commits after the fork are not reverts', () => {
    repo = makeRepo();
    repo.git('checkout', '-q', '-b', 'feature');
    repo.edit(NGROK_REL, (t) => BUMP_TO(6)(SEARCH_CHANGE(t)));
    repo.addChangeset('tls', 'patch');
    repo.commitAll('feature work');
    repo.git('checkout', '-q', 'main');
    repo.write('detections/endpoint/other.yml', otherDetection('0f0e0d0c-0b0a-4909-8807-060504030201'));
    repo.commitAll('unrelated change on main');
    repo.git('checkout', '-q', 'feature');
    const r = check();
    expect(r.base.usedMergeBase).toBe(true);
    expect(r.diagnostics).toEqual([]);
  });
});

describe('dac version-check: same-day edits (date >= the base date, <= today, moves unless the base date is today)', () => {
  /** main holds the ngrok detection dated `date` (version 5). */
  const baseDated = (date: string) => {
    repo = makeRepo();
    repo.edit(NGROK_REL, (t) => t.replace("date: '2024-09-30'", `date: '${date}'`));
    repo.commitAll(`dated ${date}`);
  };
  const changeTo = (version: number, date: string) =>
    repo!.edit(NGROK_REL, (t) =>
      SEARCH_CHANGE(t)
        .replace(/^version: 5$/m, `version: ${version}`)
        .replace(/^date: '[^']*'$/m, `date: '${date}'`),
    );

  it('a detection added today and edited again today keeps its date (version still bumps)', () => {
    repo = makeRepo();
    const id = '0f0e0d0c-0b0a-4909-8807-060504030201';
    // First pull request: the new detection, dated today, passes.
    repo.write('detections/endpoint/new.yml', otherDetection(id, 1, TODAY));
    repo.addChangeset('new', 'minor');
    expect(check().diagnostics).toEqual([]);
    repo.commitAll('add a detection');
    // Second pull request the same day: search changed, version 2, date unchanged.
    repo.edit('detections/endpoint/new.yml', (t) => SEARCH_CHANGE(t).replace(/^version: 1$/m, 'version: 2'));
    repo.addChangeset('edit', 'patch');
    const r = check();
    expect(r.diagnostics).toEqual([]);
    expect(r.detections.find((d) => d.id === id)).toMatchObject({ change: 'changed', baseVersion: 1, version: 2 });
  });

  it('base dated today: the same date passes, an earlier one fails with both dates named', () => {
    baseDated(TODAY);
    repo!.addChangeset('tls', 'patch');
    changeTo(6, TODAY);
    expect(check().diagnostics).toEqual([]);
    changeTo(6, '2025-01-14');
    const e = errors(check());
    expect(e).toMatchObject([{ file: NGROK_REL, line: 5, rule: 'version-date' }]);
    expect(e[0]!.message).toBe(
      `date must be ${TODAY}: 2025-01-14 is earlier than ${TODAY}, the detection's date at main; a changed detection's date is on or after it and not in the future (UTC)`,
    );
  });

  it('base dated before today: the date must move; any day after the base date up to today passes', () => {
    baseDated('2025-01-10');
    repo!.addChangeset('tls', 'patch');
    changeTo(6, '2025-01-10');
    const e = errors(check());
    expect(e).toHaveLength(1);
    expect(e[0]!.message).toBe(
      `date must be ${TODAY}: the detection changed since main, where its date is 2025-01-10; a change dated before today moves the date (to any day after 2025-01-10, up to today UTC)`,
    );
    changeTo(6, '2025-01-11');
    expect(check().diagnostics).toEqual([]);
    changeTo(6, TODAY);
    expect(check().diagnostics).toEqual([]);
    changeTo(6, '2025-01-16');
    expect(errors(check())[0]!.message).toBe(
      `date must be ${TODAY}: 2025-01-16 is in the future (today is ${TODAY} UTC)`,
    );
  });

  it('--fix repairs a same-date change when the base date is earlier, and leaves a same-day date alone', () => {
    baseDated('2025-01-10');
    repo!.addChangeset('tls', 'patch');
    changeTo(5, '2025-01-10');
    let r = check({ fix: true });
    expect(r.diagnostics).toEqual([]);
    expect(r.fixes.map((f) => [f.key, f.from, f.to])).toEqual([
      ['version', '5', '6'],
      ['date', "'2025-01-10'", `'${TODAY}'`],
    ]);
    repo!.commitAll('first change');
    // Edited again on the same day: --fix bumps the version and keeps today's date as it is.
    repo!.edit(NGROK_REL, (t) => t.replace('"*tls*")', '"*tls*", "*udp*")'));
    repo!.addChangeset('udp', 'patch');
    r = check({ fix: true });
    expect(r.diagnostics).toEqual([]);
    expect(r.fixes.map((f) => [f.key, f.from, f.to])).toEqual([['version', '6', '7']]);
    expect(repo!.read(NGROK_REL)).toContain(`date: '${TODAY}'`);
  });

  it('"today" is the injected clock: the same edit passes on the base date and fails a day later', () => {
    baseDated('2025-01-10');
    repo!.addChangeset('tls', 'patch');
    changeTo(6, '2025-01-10');
    expect(check({ now: new Date('2025-01-10T23:59:59Z') }).diagnostics).toEqual([]);
    expect(errors(check({ now: new Date('2025-01-11T00:00:00Z') }))[0]!.message).toMatch(/^date must be 2025-01-11: /);
  });

  it('a base date in the future cannot be satisfied: one error, and --fix changes nothing', () => {
    baseDated('2025-02-01');
    repo!.addChangeset('tls', 'patch');
    changeTo(6, '2025-02-01');
    const before = repo!.read(NGROK_REL);
    const r = check({ fix: true });
    expect(r.fixes).toEqual([]);
    expect(repo!.read(NGROK_REL)).toBe(before);
    expect(errors(r)).toMatchObject([{ rule: 'version-date', line: 5 }]);
    expect(errors(r)[0]!.message).toMatch(
      /^date cannot be checked: at main the date is 2025-02-01, which is in the future/,
    );
  });

  it('changedDateRule: the whole table', () => {
    const ok = (date: string | undefined, base: string | undefined, today = TODAY) =>
      changedDateRule(date, base, today, 'main') === undefined;
    expect(ok(TODAY, TODAY)).toBe(true); // same day as the base
    expect(ok(TODAY, '2025-01-01')).toBe(true);
    expect(ok('2025-01-02', '2025-01-01')).toBe(true);
    expect(ok('2025-01-01', '2025-01-01')).toBe(false); // base earlier than today: must move
    expect(ok('2024-12-31', '2025-01-01')).toBe(false); // before the base
    expect(ok('2025-01-16', '2025-01-01')).toBe(false); // future
    expect(ok('2025-01-16', TODAY)).toBe(false);
    expect(ok(undefined, '2025-01-01')).toBe(false);
    expect(ok('15/01/2025', '2025-01-01')).toBe(false);
    expect(ok(TODAY, undefined)).toBe(true); // no base date: only "valid, not in the future"
    expect(ok('2025-01-16', undefined)).toBe(false);
    expect(changedDateRule(TODAY, '2025-01-16', TODAY, 'main')).toMatchObject({ fixable: false });
  });
});

describe('dac version-check --fix', () => {
  it('makes a failing repository pass and leaves every other byte of the file identical', () => {
    repo = makeRepo();
    // Comments and odd spacing around the values must survive.
    repo.edit(NGROK_REL, (t) =>
      SEARCH_CHANGE(t)
        .replace(/^version: 5$/m, 'version:   5   # bumped by tooling')
        .replace("date: '2024-09-30'", "date: '2024-09-30' # ISO"),
    );
    repo.addChangeset('tls', 'patch');
    const before = repo.read(NGROK_REL);
    expect(errors(check())).toHaveLength(2);
    const r = check({ fix: true });
    expect(r.diagnostics).toEqual([]);
    expect(r.fixes).toEqual([
      { file: NGROK_REL, line: 4, column: 12, key: 'version', from: '5', to: '6' },
      { file: NGROK_REL, line: 5, column: 7, key: 'date', from: "'2024-09-30'", to: `'${TODAY}'` },
    ]);
    const expected = before
      .replace('version:   5   #', 'version:   6   #')
      .replace("date: '2024-09-30' # ISO", `date: '${TODAY}' # ISO`);
    expect(repo.read(NGROK_REL)).toBe(expected);
    expect(check().diagnostics).toEqual([]);
  });

  it('undoes a bump without a change, keeping a double-quoted date double-quoted', () => {
    repo = makeRepo();
    repo.edit(NGROK_REL, (t) =>
      t.replace(/^version: 5$/m, 'version: 9').replace("date: '2024-09-30'", 'date: "2025-01-01"'),
    );
    const r = check({ fix: true });
    expect(r.diagnostics).toEqual([]);
    expect(repo.read(NGROK_REL)).toBe(NGROK_TEXT.replace("date: '2024-09-30'", 'date: "2024-09-30"'));
  });

  it('does not touch unfixable problems (id change), and reports them after fixing', () => {
    repo = makeRepo();
    repo.edit(NGROK_REL, (t) => t.replace(NGROK_ID, '11111111-2222-4333-8444-555555555555'));
    const before = repo.read(NGROK_REL);
    const r = check({ fix: true });
    expect(r.fixes).toEqual([]);
    expect(repo.read(NGROK_REL)).toBe(before);
    expect(errors(r).some((d) => d.rule === 'version-id')).toBe(true);
  });
});

describe('changesets: content changes must bump the content package @dac/app', () => {
  it('no changeset ⇒ error naming `npx changeset`; with one ⇒ passes', () => {
    repo = makeRepo();
    repo.edit(NGROK_REL, (t) => BUMP_TO(6)(SEARCH_CHANGE(t)));
    const e = errors(check());
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ rule: 'changeset', file: NGROK_REL });
    expect(e[0]!.message).toContain('`npx changeset`');
    expect(e[0]!.message).toContain('@dac/app');
    repo.addChangeset('tls', 'patch');
    expect(check().diagnostics).toEqual([]);
  });

  it('a changeset that was already at the base does not count; one for another package does not count', () => {
    repo = makeRepo();
    repo.addChangeset('old', 'major');
    repo.commitAll('old changeset');
    repo.edit(NGROK_REL, (t) => BUMP_TO(6)(SEARCH_CHANGE(t)));
    repo.addChangeset('other', 'major', '@dac/cli');
    const e = errors(check());
    expect(e.map((d) => d.rule)).toEqual(['changeset']);
  });

  it('a changeset lower than the change needs ⇒ error at its package line (new detection ⇒ minor)', () => {
    repo = makeRepo();
    repo.write('detections/endpoint/new.yml', otherDetection('0f0e0d0c-0b0a-4909-8807-060504030201'));
    const rel = repo.addChangeset('new', 'patch');
    const e = errors(check());
    expect(e).toMatchObject([{ file: rel, line: 2, column: 1, rule: 'changeset' }]);
    expect(e[0]!.message).toContain('needs minor');
  });

  it('macro, lookup and other content changes count as content changes', () => {
    repo = makeRepo();
    repo.edit('macros/summariesonly_config.yml', (t) => t.replace('definition: "false"', 'definition: "true"'));
    repo.write('lookups/ngrok_hosts.csv', 'host\nexample\n');
    const r = check();
    expect(r.contentChanges.map((c) => [c.kind, c.change])).toEqual([
      ['lookup_file', 'added'],
      ['macro', 'changed'],
    ]);
    expect(r.suggestedBump).toBe('minor');
    expect(errors(r).map((d) => d.rule)).toEqual(['changeset']);
  });

  it('a changeset with broken front matter is reported at the file', () => {
    repo = makeRepo();
    repo.edit(NGROK_REL, (t) => BUMP_TO(6)(SEARCH_CHANGE(t)));
    repo.write('.changeset/bad.md', '---\n"@dac/app": [patch\n---\n\nx\n');
    const e = errors(check());
    expect(e.map((d) => [d.file, d.rule])).toEqual([
      ['.changeset/bad.md', 'changeset'],
      [NGROK_REL, 'changeset'],
    ]);
  });
});

describe('environment errors say what to do (exit 2 in the CLI)', () => {
  it('unknown ref ⇒ VersioningError suggesting git fetch', () => {
    repo = makeRepo();
    expect(() => check({ base: 'origin/nope' })).toThrow(VersioningError);
    expect(() => check({ base: 'origin/nope' })).toThrow(
      /unknown base ref "origin\/nope".*git fetch origin origin\/nope|unknown base ref/,
    );
  });

  it('a shallow clone that lacks the ref ⇒ error suggesting git fetch --unshallow', () => {
    repo = makeRepo();
    const first = repo.git('rev-parse', 'HEAD').trim();
    repo.edit(NGROK_REL, (t) => BUMP_TO(6)(SEARCH_CHANGE(t)));
    repo.commitAll('second');
    const clone = new TempRepo(`${repo.dir}-clone`);
    repo.git('clone', '-q', '--depth', '1', `file://${repo.dir}`, clone.dir);
    try {
      expect(() => checkVersions({ contentRoot: clone.dir, base: first, now: NOW })).toThrow(/git fetch --unshallow/);
    } finally {
      clone.dispose();
    }
  });

  it('a detection that does not parse at the base ⇒ VersioningError naming the file and the fix', () => {
    repo = makeRepo();
    repo.write('detections/endpoint/broken.yml', 'name: [unclosed\n');
    repo.commitAll('broken');
    repo.remove('detections/endpoint/broken.yml');
    expect(() => check({ base: 'HEAD' })).toThrow(
      /detections\/endpoint\/broken\.yml does not parse at HEAD .*another --base/,
    );
  });

  it('not a git repository ⇒ VersioningError', () => {
    repo = new TempRepo(mkdtempSync(join(tmpdir(), 'dac-nogit-')));
    expect(() => checkVersions({ contentRoot: repo!.dir, base: 'main', now: NOW })).toThrow(
      /not inside a git repository/,
    );
  });
});

describe('files identical to the base are matched without a full parse', () => {
  it('still reports a duplicate id among unchanged files, at the right line', () => {
    repo = makeRepo();
    repo.write(
      'detections/endpoint/zz_copy.yml',
      NGROK_TEXT.replace('name: Windows Ngrok Reverse Proxy Usage', 'name: Copy'),
    );
    repo.commitAll('duplicate at base');
    const r = check();
    expect(errors(r)).toMatchObject([
      { file: 'detections/endpoint/zz_copy.yml', line: 3, column: 1, rule: 'duplicate-id' },
    ]);
  });

  it('an id written unusually (quoted, commented) is read exactly as YAML reads it', () => {
    repo = makeRepo();
    repo.edit(NGROK_REL, (t) => t.replace(`id: ${NGROK_ID}`, `id: "${NGROK_ID.toUpperCase()}"   # uuid`));
    repo.commitAll('quoted id');
    repo.move(NGROK_REL, 'detections/moved.yml');
    const r = check();
    expect(r.diagnostics).toEqual([]);
    expect(r.detections).toMatchObject([{ id: NGROK_ID, change: 'unchanged', movedFrom: NGROK_REL }]);
  });
});

describe('layout and edge cases', () => {
  it('content in a subdirectory of the repository, .changeset/ at the repository root', () => {
    repo = makeRepo();
    // Move the whole content root (config, detections, macros, app package) under content/.
    for (const p of ['dac.config.yaml', 'detections', 'macros', 'packages']) repo.move(p, `content/${p}`);
    repo.commitAll('content in a subfolder');
    const contentRoot = repo.path('content');
    repo.edit(`content/${NGROK_REL}`, (t) => BUMP_TO(6)(SEARCH_CHANGE(t)));
    let r = checkVersions({ contentRoot, base: 'main', now: NOW });
    expect(errors(r)).toMatchObject([{ file: NGROK_REL, rule: 'changeset' }]);
    repo.addChangeset('tls', 'patch');
    r = checkVersions({ contentRoot, base: 'main', now: NOW });
    expect(r.diagnostics).toEqual([]);
    expect(r.changeset.files).toEqual(['../.changeset/tls.md']);
  });

  it('a working-tree detection that does not parse: its YAML error, not a spurious removal', () => {
    repo = makeRepo();
    repo.edit(NGROK_REL, (t) => t.replace('status: production', 'status: [production'));
    repo.addChangeset('x', 'patch');
    const e = errors(check());
    expect(e.length).toBeGreaterThan(0);
    expect(e.every((d) => d.file === NGROK_REL && d.rule.startsWith('yaml'))).toBe(true);
  });

  it('status set to removed is a removal (major); deprecated is a change (patch)', () => {
    repo = makeRepo();
    repo.edit(NGROK_REL, (t) => BUMP_TO(6)(t.replace('status: production', 'status: deprecated')));
    expect(check().suggestedBump).toBe('patch');
    repo.edit(NGROK_REL, (t) => t.replace('status: deprecated', 'status: removed'));
    expect(check().suggestedBump).toBe('major');
  });
});

describe('--fix for missing or empty values', () => {
  it('inserts a missing version and date right after the id line of a new detection', () => {
    repo = makeRepo();
    const id = '0f0e0d0c-0b0a-4909-8807-060504030201';
    const text = otherDetection(id)
      .replace(/^version: 1\n/m, '')
      .replace(/^date: '2025-01-10'\n/m, '');
    repo.write('detections/endpoint/new.yml', text);
    repo.addChangeset('new', 'minor');
    expect(errors(check()).map((d) => d.rule)).toEqual(['version-bump', 'version-date']);
    const r = check({ fix: true });
    expect(r.diagnostics).toEqual([]);
    expect(repo.read('detections/endpoint/new.yml')).toBe(
      text.replace(`id: ${id}\n`, `id: ${id}\nversion: 1\ndate: '${TODAY}'\n`),
    );
  });

  it('fills an empty version: value without breaking the mapping', () => {
    repo = makeRepo();
    repo.edit(NGROK_REL, (t) => SEARCH_CHANGE(t).replace(/^version: 5$/m, 'version:'));
    repo.addChangeset('tls', 'patch');
    const r = check({ fix: true });
    expect(r.diagnostics).toEqual([]);
    expect(repo.read(NGROK_REL)).toMatch(/^version: 6$/m);
  });
});

describe('rule severity overrides (dac.config.yaml rules:)', () => {
  it('turns a rule off or into a warning', () => {
    repo = makeRepo();
    repo.edit(NGROK_REL, (t) => BUMP_TO(6)(SEARCH_CHANGE(t)));
    repo.edit('dac.config.yaml', (t) => t.replace('rules: {}', 'rules:\n  changeset: warning'));
    expect(check().diagnostics).toMatchObject([{ rule: 'changeset', severity: 'warning' }]);
    repo.edit('dac.config.yaml', (t) => t.replace('changeset: warning', 'changeset: off'));
    expect(check().diagnostics).toEqual([]);
  });
});
