// Honest labels: every attack-data fixture in the repository says where it comes from. A
// hand-written file must never pass for real attack data, so each file under test/attack_data/
// and test/logs/ is listed in the README.md of its folder with its provenance ("hand-written" or
// "real"), and the ngrok stand-ins, which sit at upstream paths, say so in their README's title.
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '../..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name === 'README.md' ? [] : [join(dir, e.name)],
  );
}

describe('fixture provenance', () => {
  const files = [...filesUnder(join(REPO, 'test/attack_data')), ...filesUnder(join(REPO, 'test/logs'))];

  it('every fixture file is listed in the README.md beside it, as hand-written or real', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
    const unlabelled: string[] = [];
    for (const f of files) {
      const readme = join(f, '..', 'README.md');
      const name = f.slice(f.lastIndexOf('/') + 1);
      const row = existsSync(readme)
        ? readFileSync(readme, 'utf8')
            .split('\n')
            .find((l) => l.startsWith('|') && l.includes(`\`${name}\``))
        : undefined;
      if (!row || !/hand-written|\breal\b/i.test(row)) unlabelled.push(relative(REPO, f));
    }
    expect(unlabelled).toEqual([]);
  });

  it('the hand-written ngrok logs say HAND-WRITTEN in the title of their README', () => {
    const dir = join(REPO, 'test/attack_data/datasets/attack_techniques/T1572/ngrok');
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(readme.split('\n')[0]).toMatch(/^# HAND-WRITTEN fixtures — not data from splunk\/attack_data/);
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.log')))
      expect(readme).toMatch(new RegExp(`\\| \`${f.replace('.', '\\.')}\` \\| hand-written`));
  });

  it('a symlinked fixture points at a real log inside the repository', () => {
    for (const f of files.filter((p) => lstatSync(p).isSymbolicLink())) {
      expect(existsSync(f), f).toBe(true);
      expect(readFileSync(join(f, '..', 'README.md'), 'utf8')).toMatch(/\*\*real\*\*: a symlink/);
    }
  });
});
