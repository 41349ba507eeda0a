import { findTstats, parsePipeline } from '@dac/spl';
import { describe, expect, it } from 'vitest';
import { loadDataModels } from './datamodels.js';
import { describePlanIssue, planTstats } from './tstats-plan.js';

const plan = (spl: string) => planTstats(findTstats(parsePipeline(spl).pipeline)!, loadDataModels());

describe('tstats plan diagnostics carry their data; messages are rendered from it', () => {
  it('an unknown field names the field, the dataset, the clause and the suggestion', () => {
    const { diagnostics } = plan(
      '| tstats count from datamodel=Endpoint.Processes where Processes.proces_name=x by Processes.dest',
    );
    expect(diagnostics).toMatchObject([
      {
        rule: 'datamodel-field',
        code: 'unknown-field',
        field: 'Processes.proces_name',
        dataset: 'Endpoint.Processes',
        role: 'where',
        suggestion: 'Processes.process_name',
      },
    ]);
    expect(diagnostics[0]!.message).toBe(describePlanIssue(diagnostics[0]!));
  });

  it('an unknown model and an ES model', () => {
    const unknown = plan('| tstats count from datamodel=Endpoit.Processes').diagnostics[0]!;
    expect(unknown).toMatchObject({
      code: 'unknown-model',
      model: 'Endpoit',
      suggestion: 'Endpoint',
      severity: 'error',
    });
    const es = plan('| tstats count from datamodel=Risk.All_Risk').diagnostics[0]!;
    expect(es).toMatchObject({ code: 'non-cim-model', model: 'Risk', severity: 'warning', rule: 'datamodel-unknown' });
  });
});
