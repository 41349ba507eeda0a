import type { Rule } from '../types.js';
import { datamodelField } from './datamodel_field.js';
import { confControlCharacter } from './conf_control_character.js';
import { date } from './date.js';
import { fieldMappingAddon } from './field_mapping_addon.js';
import { fileName } from './file_name.js';
import { filterMacro } from './filter_macro.js';
import { lookupFile } from './lookup_file.js';
import { macroCall } from './macro_call.js';
import { messageToken } from './message_token.js';
import { mitreAttackId } from './mitre_attack_id.js';
import { mitreSubTechnique } from './mitre_sub_technique.js';
import { observableField } from './observable_field.js';
import { requiredFields } from './required_fields.js';
import { riskScore } from './risk_score.js';
import { schemaComment } from './schema_comment.js';
import { splSyntax } from './spl_syntax.js';
import { splUnsupported } from './spl_unsupported.js';
import { stanzaLength } from './stanza_length.js';
import { uniqueId } from './unique_id.js';
import { uniqueName } from './unique_name.js';
import { unknownDataSource } from './unknown_data_source.js';
import { unknownLookup } from './unknown_lookup.js';
import { unknownMacro } from './unknown_macro.js';
import { unknownStory } from './unknown_story.js';

/** Every semantic rule, in reporting order. Add a rule by adding its module here. */
export const RULES: readonly Rule[] = [
  fileName,
  uniqueId,
  uniqueName,
  date,
  riskScore,
  mitreAttackId,
  mitreSubTechnique,
  filterMacro,
  unknownStory,
  unknownDataSource,
  stanzaLength,
  lookupFile,
  schemaComment,
  fieldMappingAddon,
  confControlCharacter,
  // SPL-backed (parsed once per detection by @dac/spl, shared through ctx.search())
  splSyntax,
  splUnsupported,
  unknownMacro,
  macroCall,
  unknownLookup,
  messageToken,
  observableField,
  datamodelField,
  requiredFields,
];
