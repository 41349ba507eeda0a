import { readFileSync } from 'node:fs';
import { assetPath } from '@dac/assets';
import { macrosFromConf } from './conf.js';
import { type MacroTable, macroTableFrom } from './macros.js';

let builtins: MacroTable | undefined;

/**
 * The CIM add-on's macros (Splunk_SA_CIM 4.20.0 `default/macros.conf`, dac's copy
 * `schemas/cim/macros.conf`, located by @dac/assets), e.g. `drop_dm_object_name(1)`, read once per
 * thread. Content macros override them: see searchMacroTable.
 */
export function builtinMacros(): MacroTable {
  builtins ??= macroTableFrom(
    macrosFromConf(readFileSync(assetPath('cimMacros'), 'utf8'), 'Splunk_SA_CIM/default/macros.conf'),
  );
  return new Map(builtins);
}
