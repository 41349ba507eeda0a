// Issue 12 case 5: workflow-command and terminal injection. A test `name:` holding a line break
// followed by `::error …` / `::stop-commands::`, or ANSI/OSC escape sequences, must reach no CI
// channel raw: stdout/stderr show it escaped (@dac/escape escapeTerminal), the JUnit report stays
// well-formed XML, and the step summary cannot be broken out of.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { SaxesParser } from 'saxes';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ciCommand } from '../../packages/cli/src/commands/ci.js';
import type { DacCommand } from '../../packages/cli/src/program.js';
import { makeRepo, NGROK_REL, type TempRepo } from '../versioning/repo.js';

/** YAML double-quoted escapes: `\n` line feed, `\e` ESC, `\a` BEL (an OSC 8 hyperlink, a colour, a title). */
const HOSTILE_NAME =
  '"True Positive Test\\n::error file=README.md,line=1::INJECTED\\n::stop-commands::x \\e]8;;https://evil.example\\aclick\\e]8;;\\a \\e[31mred\\e[0m \\e]0;title\\a"';

let repo: TempRepo | undefined;
let tmp: string | undefined;
afterEach(() => {
  repo?.dispose();
  repo = undefined;
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const programOf = (commands: DacCommand[]) => (setExit: (code: number) => void) => {
  const p = new Command('dac').exitOverride();
  for (const c of commands) c.register(p, setExit);
  return p;
};

async function runCi(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    stdout += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  });
  const ci = ciCommand;
  let code = 0;
  try {
    await programOf([ci])((c) => (code = Math.max(code, c))).parseAsync(['node', 'dac', ...argv]);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    code = 2;
  } finally {
    vi.restoreAllMocks();
  }
  return { code, stdout, stderr };
}

describe('issue 12 case 5: CI-channel escaping of user text', () => {
  it('a hostile test name in `dac ci` under GitHub Actions makes no workflow command and no escape sequence', async () => {
    repo = makeRepo();
    repo.edit(NGROK_REL, (t) => t.replace('- name: True Positive Test\n', `- name: ${HOSTILE_NAME}\n`));
    repo.commitAll('hostile test name');
    // The base is the commit before: the detection changed, so `dac test` runs it.
    const base = repo.git('rev-parse', 'HEAD~1').trim();
    tmp = mkdtempSync(join(tmpdir(), 'dac-ci-escape-'));
    const junit = join(tmp, 'junit.xml');
    const summary = join(tmp, 'summary.md');
    vi.stubEnv('GITHUB_ACTIONS', 'true');
    vi.stubEnv('GITHUB_STEP_SUMMARY', summary);
    const r = await runCi(['ci', '--base', base, '--content', repo.dir, '--junit', junit]);

    // The test ran (its failure is an annotation at its tests: entry), its name escaped on one line.
    expect(r.stdout).toMatch(
      /^::error file=[^,]*,line=\d+,col=\d+,title=dac test-(failed|error)::test "True Positive Test%0A::error file=README.md,line=1::INJECTED%0A::stop-commands::x /m,
    );
    // No line of either stream starts a workflow command other than dac's own annotations.
    for (const stream of [r.stdout, r.stderr]) {
      const commands = stream.split('\n').filter((l) => /^\s*::/.test(l));
      for (const c of commands)
        expect(c).toMatch(/^::(error|warning|notice) (file=[^,\n]*,line=\d+,col=\d+,)?title=dac /);
      expect(stream).not.toMatch(/^\s*::stop-commands::/m);
      expect(stream).not.toMatch(/^\s*::error file=README\.md/m);
      // No ESC or BEL from user text: no colour, hyperlink or title escape sequence.
      expect(stream).not.toMatch(/[\x1b\x07]/);
    }
    // The JUnit report is well-formed XML 1.0 and keeps the name (escapes visible).
    const xml = readFileSync(junit, 'utf8');
    let names: string[] = [];
    const p = new SaxesParser();
    p.on('opentag', (t) => {
      if (t.name === 'testcase') names.push(String(t.attributes.name));
    });
    p.write(xml).close();
    expect(names.some((n) => n.includes('True Positive Test\n::error file=README.md') && n.includes('\\x1b]8;;'))).toBe(
      true,
    );
    names = [];
    expect(readFileSync(summary, 'utf8')).not.toMatch(/[\x1b\x07]/);
  }, 120_000);
});
