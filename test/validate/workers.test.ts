// The worker-thread path of validate() (used by the bundled CLI) gives exactly the diagnostics of
// the in-thread path. Under vitest, sources run in-thread, so this test bundles the worker entry
// with esbuild (as scripts/build.mjs does) and points DAC_VALIDATE_WORKER at it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '@dac/validate';
import { bundleSources } from '../support/bundle-sources.js';

const repo = join(import.meta.dirname, '..', '..');
let out: string;
let content: string;

const detection = (i: number, risk: number, story = 'Demo Story') => `name: Demo Detection ${i}
id: ${(0x10000000 + i).toString(16)}-2222-4333-8444-555555555555
version: 1
date: '2024-05-01'
author: A, B
status: production
type: TTP
description: d
data_source:
- Demo Source
search: '| tstats count from datamodel=Endpoint.Processes where Processes.process_name=x.exe by Processes.dest | \`drop_dm_object_name(Processes)\` | \`demo_detection_${i}_filter\`'
how_to_implement: none here
known_false_positives: none known
tags:
  analytic_story:
  - ${story}
  asset_type: Endpoint
  confidence: 50
  impact: 50
  message: Seen on $dest$
  observable:
  - name: dest
    type: Hostname
    role:
    - Victim
  product:
  - Splunk Enterprise
  required_fields:
  - Processes.dest
  risk_score: ${risk}
  security_domain: endpoint
`;

beforeAll(async () => {
  out = mkdtempSync(join(repo, 'node_modules', '.dac-validate-workers-'));
  await bundleSources({ 'validate-check.worker': join(repo, 'packages/validate/src/check.worker.ts') }, out);
  content = mkdtempSync(join(tmpdir(), 'dac-validate-workers-'));
  const write = (rel: string, text: string) => {
    mkdirSync(join(content, rel, '..'), { recursive: true });
    writeFileSync(join(content, rel), text);
  };
  for (let i = 0; i < 60; i++)
    write(
      `detections/endpoint/demo_detection_${i}.yml`,
      detection(i, i % 7 === 0 ? 99 : 25, i % 11 === 0 ? 'Missing Story' : 'Demo Story'),
    );
  write('detections/endpoint/broken.yml', 'name: [unclosed\n');
  write(
    'stories/demo_story.yml',
    "name: Demo Story\nid: 21111111-2222-4333-8444-555555555555\nversion: 1\ndate: '2024-05-01'\nauthor: A, B\ndescription: d\nnarrative: n\ntags:\n  category: [Malware]\n  product: [Splunk Cloud]\n  usecase: Other\n",
  );
  write(
    'data_sources/demo_source.yml',
    'name: Demo Source\nid: 31111111-2222-4333-8444-555555555555\ndescription: d\nsource: s\nsourcetype: st\n',
  );
  write(
    'macros/drop_dm_object_name.yml',
    'name: drop_dm_object_name\narguments: [object]\ndefinition: rename "$object$.*" as *\ndescription: d\n',
  );
});
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  rmSync(content, { recursive: true, force: true });
});

describe('validate() with worker threads', () => {
  it('reports exactly what the in-thread run reports', async () => {
    const inThread = await validate({ root: content, workers: 0 });
    process.env.DAC_VALIDATE_WORKER = join(out, 'validate-check.worker.js');
    // The worker bundle sits outside packages/cli/dist, so it reads the repository's assets.
    process.env.DAC_ASSETS = repo;
    try {
      const threaded = await validate({ root: content, workers: 2 });
      expect(threaded.tree).toBeUndefined();
      expect(inThread.tree?.detections.length).toBe(61);
      expect(threaded.diagnostics).toEqual(inThread.diagnostics);
      expect([threaded.files, threaded.errors, threaded.warnings]).toEqual([
        inThread.files,
        inThread.errors,
        inThread.warnings,
      ]);
      // 9 wrong risk scores, 6 missing stories, 1 broken file.
      expect(inThread.diagnostics.filter((d) => d.rule === 'risk-score')).toHaveLength(9);
      expect(inThread.diagnostics.filter((d) => d.rule === 'unknown-story')).toHaveLength(6);
      const narrowed = await validate({
        root: content,
        workers: 2,
        paths: [join(content, 'detections/endpoint/demo_detection_0.yml')],
      });
      expect(narrowed.diagnostics.map((d) => [d.file, d.rule])).toEqual([
        ['detections/endpoint/demo_detection_0.yml', 'unknown-story'],
        ['detections/endpoint/demo_detection_0.yml', 'risk-score'],
      ]);
    } finally {
      delete process.env.DAC_VALIDATE_WORKER;
      delete process.env.DAC_ASSETS;
    }
  });
});
