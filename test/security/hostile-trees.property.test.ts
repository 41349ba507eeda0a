// Issue 12 "done when": a fast-check property throws arbitrary small trees of files, symbolic links
// (inside the root, outside it, loops, to a FIFO and to /dev/zero) and FIFOs at `dac validate`,
// `dac build` and `dac test`, and asserts: nothing outside the content root is read (the outside
// secret never appears in any output, tarball or message), nothing outside the output folder is
// written (the outside folder is unchanged), and every command ends within a bound.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runDac } from '../support/run-dac.js';
import { allOutput, buildContent, REPO, scratch, snapshot } from './helpers.js';

const tmp = scratch('property');

function ngrokInto(root: string): void {
  for (const f of ['detections/endpoint/windows_ngrok_reverse_proxy_usage.yml', FIXTURE_DIR])
    cpSync(join(REPO, f), join(root, f), { recursive: true, dereference: true });
  for (const f of ['data_sources'])
    cpSync(join(REPO, f), join(root, f), { recursive: true, dereference: true, force: false });
}
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const SECRET = 'OUTSIDE-SECRET-c0ffee';
const hasMkfifo = spawnSync('mkfifo', ['--version']).status === 0;

/** The folder of the ngrok detection's Sysmon fixture: a link or FIFO there is what `dac test` opens. */
const FIXTURE_DIR = 'test/attack_data/datasets/attack_techniques/T1572/ngrok';
const FOLDERS = [
  'detections',
  'detections/endpoint',
  'macros',
  'lookups',
  'stories',
  'data_sources',
  FIXTURE_DIR,
] as const;
const NAMES = ['a.yml', 'b.yaml', 'c.csv', 'sub', 'windows-sysmon.log'] as const;
type Target =
  | 'secret'
  | 'outside-dir'
  | 'root'
  | 'parent'
  | 'self-folder'
  | 'fifo'
  | 'dev-zero'
  | 'missing'
  | 'sibling';
const TARGETS: Target[] = [
  'secret',
  'outside-dir',
  'root',
  'parent',
  'self-folder',
  'fifo',
  'dev-zero',
  'missing',
  'sibling',
];
const TEXTS = [
  `name: ${SECRET.slice(0, 3)}\n`,
  'name: x\ndefinition: search *\ndescription: d\n',
  'a,b\n1,2\n',
  ': : :\n',
  '',
] as const;

type Entry =
  | { kind: 'file'; folder: string; name: string; text: string }
  | { kind: 'link'; folder: string; name: string; target: Target }
  | { kind: 'fifo'; folder: string; name: string };

const entry: fc.Arbitrary<Entry> = fc.oneof(
  fc.record({
    kind: fc.constant('file' as const),
    folder: fc.constantFrom(...FOLDERS),
    name: fc.constantFrom(...NAMES),
    text: fc.constantFrom(...TEXTS),
  }),
  fc.record({
    kind: fc.constant('link' as const),
    folder: fc.constantFrom(...FOLDERS),
    name: fc.constantFrom(...NAMES),
    target: fc.constantFrom(...TARGETS),
  }),
  fc.record({
    kind: fc.constant('fifo' as const),
    folder: fc.constantFrom(...FOLDERS),
    name: fc.constantFrom(...NAMES),
  }),
);

/** Wall-clock bound per command: the build fixture takes well under a second. */
const BOUND_MS = 30_000;

let run = 0;
async function check(entries: Entry[]): Promise<void> {
  const base = join(tmp, `run-${run++}`);
  const outside = join(base, 'outside');
  mkdirSync(join(outside, 'dir'), { recursive: true });
  writeFileSync(join(outside, 'secret.yml'), `name: ${SECRET}\nsearch: ${SECRET}\n${SECRET},${SECRET}\n`);
  if (hasMkfifo) spawnSync('mkfifo', [join(outside, 'fifo')]);
  // The build fixture (macros, a CSV lookup, a story) plus the ngrok detection and its fixtures.
  const root = buildContent(join(base, 'content'));
  ngrokInto(root);
  for (const e of entries) {
    const path = join(root, e.folder, e.name);
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { recursive: true, force: true });
    if (e.kind === 'file') writeFileSync(path, e.text);
    else if (e.kind === 'fifo') {
      if (hasMkfifo) spawnSync('mkfifo', [path]);
    } else {
      const target = {
        secret: join(outside, 'secret.yml'),
        'outside-dir': outside,
        root,
        parent: '..',
        'self-folder': '.',
        fifo: join(outside, 'fifo'),
        'dev-zero': '/dev/zero',
        missing: join(base, 'no-such-file'),
        sibling: 'a.yml',
      }[e.target];
      symlinkSync(target, path);
    }
  }
  const before = snapshot(outside);
  const out = join(root, 'dist');
  const messages: string[] = [];
  for (const args of [
    ['validate', '--content', root],
    ['build', '--content', root, '--out', out, '--skip-invalid'],
    ['test', '--content', root, '--no-typecheck'],
  ]) {
    const t0 = performance.now();
    const r = await runDac(...args);
    expect(performance.now() - t0).toBeLessThan(BOUND_MS);
    expect(r.err, `dac ${args[0]} printed a stack trace`).not.toMatch(/\n\s+at [\w.<]+ \(/);
    messages.push(r.out, r.err);
    // `dac test` really ran the ngrok detection's tests (its fixtures are what the links target).
    if (args[0] === 'test') expect(r.out + r.err).toContain('Windows Ngrok Reverse Proxy Usage');
  }
  expect(messages.join('\n')).not.toContain(SECRET);
  expect(allOutput(out)).not.toContain(SECRET);
  expect(snapshot(outside)).toEqual(before);
  rmSync(base, { recursive: true, force: true });
}

describe('issue 12: hostile trees of files, links and FIFOs (property)', () => {
  it('no read outside the root, no write outside the output, every command ends', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 6 }), (entries) => check(entries)),
      { numRuns: 12, seed: 12_2026, endOnFailure: true },
    );
  }, 240_000);
});
