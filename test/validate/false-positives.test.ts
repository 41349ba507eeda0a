// Valid ESCU constructs that dac once reported as errors (issue 13, part 5), each checked with the
// real content: test/fixtures/escu-real/ holds eight detections of splunk/security_content
// b13b314, unchanged, with the macros, lookups, data sources and stories they use (its README).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { builtinMacros, parseSearch, type Command, type Pipeline } from '@dac/spl';
import { runDac } from '../support/run-dac.js';

const fixture = join(import.meta.dirname, '../fixtures/escu-real');
const tmp = mkdtempSync(join(tmpdir(), 'dac-false-positives-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface JsonDiagnostic {
  file: string;
  severity: string;
  rule: string;
  message: string;
}

/** The real search of a fixture detection. */
function searchOf(rel: string): string {
  return (parseYaml(readFileSync(join(fixture, rel), 'utf8')) as { search: string }).search;
}

/** The first command of the first subsearch argument of the command named `name`. */
function subsearchHead(p: Pipeline, name: string): Command | undefined {
  const c = p.commands.find((x) => x.kind === 'command' && x.name === name);
  if (c?.kind !== 'command') return undefined;
  const sub = c.args.find((a) => a.kind === 'subsearch');
  return sub?.kind === 'subsearch' ? sub.pipeline.commands[0] : undefined;
}

const syntaxOf = (search: string) =>
  parseSearch(search, builtinMacros()).diagnostics.filter((d) => d.rule === 'spl-syntax');

describe('SPL that Splunk accepts parses without a diagnostic (real ESCU searches)', () => {
  // Search Manual, "About subsearches": the first command of a subsearch is a generating command
  // (search, eventcount, inputlookup, tstats, mstats …), written without a leading pipe.
  it('append [mstats …]: the subsearch starts with the mstats command', () => {
    const search = searchOf('detections/cloud/kubernetes_previously_unseen_process.yml');
    expect(syntaxOf(search)).toEqual([]);
    const head = subsearchHead(parseSearch(search, builtinMacros()).pipeline, 'append');
    expect(head).toMatchObject({ kind: 'command', name: 'mstats' });
  });

  it('join … [ mstats … ] and foreach stdev_* [ eval … <<MATCHSTR>> … ]', () => {
    const search = searchOf('detections/cloud/kubernetes_anomalous_inbound_network_activity_from_process.yml');
    expect(syntaxOf(search)).toEqual([]);
    expect(subsearchHead(parseSearch(search, builtinMacros()).pipeline, 'join')).toMatchObject({ name: 'mstats' });
  });

  it('append [ tstats … ] is the tstats command, with its data model', () => {
    const search = searchOf('detections/deprecated/detection_of_dns_tunnels.yml');
    expect(syntaxOf(search)).toEqual([]);
    const head = subsearchHead(parseSearch(search, builtinMacros()).pipeline, 'append');
    expect(head).toMatchObject({ kind: 'tstats', datamodel: { model: 'Network_Resolution' } });
  });

  it('search NOT [ inputlookup legit_domains.csv | fields domain]; tstats options between aggregates', () => {
    const search = searchOf('detections/deprecated/detect_dns_requests_to_phishing_sites_leveraging_evilginx2.yml');
    expect(syntaxOf(search)).toEqual([]);
  });

  // Search Reference, foreach: <<FIELD>>, <<MATCHSTR>>, <<MATCHSEG1>>…, <<ITEM>>, <<ITER>> are
  // replaced in the subcommand before it runs, so they stand where field names stand.
  it('foreach * [ eval <<FIELD>> = if(<<FIELD>>="null",null(),<<FIELD>>)]', () => {
    const search = searchOf('detections/application/detect_password_spray_attempts.yml');
    expect(syntaxOf(search)).toEqual([]);
    const fe = parseSearch(search, builtinMacros()).pipeline.commands.find(
      (c) => c.kind === 'command' && c.name === 'foreach',
    );
    const body = fe?.kind === 'command' ? fe.args.find((a) => a.kind === 'subsearch') : undefined;
    const evalCmd = body?.kind === 'subsearch' ? body.pipeline.commands[0] : undefined;
    expect(evalCmd?.kind === 'command' && evalCmd.assignments?.map((a) => a.field)).toEqual(['<<FIELD>>']);
  });

  it('a generating command at the start of the whole search still needs its pipe (a warning, not an error)', () => {
    const d = syntaxOf('inputlookup legit_domains.csv | fields domain');
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ severity: 'warning' });
    // Outside foreach, `<<FIELD>>` is no name.
    expect(syntaxOf('index=x | eval <<FIELD>> = 1').length).toBeGreaterThan(0);
  });
});

describe('dac validate on the real detections', () => {
  it('reports no SPL, lookup or macro error: ES / SA-admon lookups and ES macros are known', async () => {
    const r = await runDac('validate', '--content', fixture, '--format', 'json');
    const diags = (JSON.parse(r.out) as { diagnostics: JsonDiagnostic[] }).diagnostics;
    expect(diags.filter((d) => /^(spl-|unknown-lookup|unknown-macro|macro-call)/.test(d.rule))).toEqual([]);
    // What remains is real: a data source name that has no file (its file says "System 4728").
    expect(diags.filter((d) => d.severity === 'error')).toEqual([
      expect.objectContaining({
        file: 'detections/application/windows_ad_privileged_group_modification.yml',
        rule: 'unknown-data-source',
      }),
    ]);
    expect(r.code).toBe(1);
  });
});

describe('dac compile agrees with validate', () => {
  it('does not report `get_asset(1)` (an ES macro) as undefined and compiles the detection that calls it', async () => {
    const out = join(tmp, 'out');
    const r = await runDac('compile', '--content', fixture, '--out', out, '--no-cache');
    expect(r.out).not.toMatch(/undefined macro/);
    expect(readFileSync(join(out, 'excessive_dns_failures.ts'), 'utf8')).toContain('export function match(');
    // The one error: the macro cim_corporate_web_domain_search expands to a where-clause subsearch.
    expect(r.out).toMatch(/detection_of_dns_tunnels\.yml:\d+:\d+: error: .*\[matcher-unsupported\]/);
    expect(r.code).toBe(1);
  });

  it('applies `rules: matcher-unsupported: warning` of dac.config.yaml (and validate knows the rule id)', async () => {
    const root = join(tmp, 'configured');
    cpSync(fixture, root, { recursive: true });
    writeFileSync(
      join(root, 'dac.config.yaml'),
      'app:\n  appid: DA-ESS-ContentUpdate\n  title: ES Content Updates\nrules:\n  matcher-unsupported: warning\n  unknown-data-source: warning\n',
    );
    const r = await runDac('compile', '--content', root, '--out', join(tmp, 'out2'), '--no-cache');
    expect(r.out).toMatch(/detection_of_dns_tunnels\.yml:\d+:\d+: warning: .*\[matcher-unsupported\]/);
    expect(r.code).toBe(0);
    const v = await runDac('validate', '--content', root, '--format', 'json');
    const diags = (JSON.parse(v.out) as { diagnostics: JsonDiagnostic[] }).diagnostics;
    expect(diags.filter((d) => d.rule === 'config')).toEqual([]);
    expect(v.code).toBe(0);
  });
});
