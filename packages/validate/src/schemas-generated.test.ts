import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseYamlText } from '@dac/content';
import { compileValidators, schemasHash, standaloneValidatorsSource, validators } from './schemas.js';
import * as precompiled from './generated/validators.generated.js';
import { DETECTION, detectionWith } from './testing.js';

const FILE = new URL('./generated/validators.generated.ts', import.meta.url);

describe('precompiled validators (ajv standalone)', () => {
  it('are up to date with schemas/*.schema.json', () => {
    const fresh = standaloneValidatorsSource();
    if (process.env.DAC_UPDATE_GENERATED) writeFileSync(FILE, fresh);
    // Stale code is never used (the hash differs, validators() compiles instead), but it costs speed.
    expect(
      readFileSync(FILE, 'utf8'),
      'run: DAC_UPDATE_GENERATED=1 npx vitest run packages/validate/src/schemas-generated.test.ts',
    ).toBe(fresh);
    expect(precompiled.SCHEMAS_HASH).toBe(schemasHash());
  });

  it('give the same errors as the schemas compiled at run time', () => {
    const runtime = compileValidators();
    const pre = validators();
    expect(pre.detection).not.toBe(runtime.detection);
    const cases = [
      DETECTION,
      detectionWith('version: 3', 'version: x').replace('type: TTP', 'type: X').replace('id: 1111', 'id: zz11'),
      detectionWith('  asset_type: Endpoint\n', '  colour: red\n'),
    ];
    for (const text of cases) {
      const v = parseYamlText(text, '/a.yml', 'a.yml').value;
      const a = runtime.detection(v) ? [] : runtime.detection.errors;
      const b = pre.detection(v) ? [] : pre.detection.errors;
      expect(JSON.parse(JSON.stringify(b))).toEqual(JSON.parse(JSON.stringify(a)));
    }
  });
});
