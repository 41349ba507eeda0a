import type { Rule } from '../types.js';
import { date } from './date.js';
import { fileName } from './file_name.js';
import { filterMacro } from './filter_macro.js';
import { mitreAttackId } from './mitre_attack_id.js';
import { mitreSubTechnique } from './mitre_sub_technique.js';
import { riskScore } from './risk_score.js';
import { stanzaLength } from './stanza_length.js';
import { uniqueId } from './unique_id.js';
import { uniqueName } from './unique_name.js';
import { unknownDataSource } from './unknown_data_source.js';
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
];
