/**
 * The add-on knowledge dac applies by default: every table of this folder, as one `Knowledge`.
 * To change a fact, change its entry in the table it lives in (each names its source); to run
 * with different knowledge, pass another `Knowledge` to `createAddonEngine`.
 */
import type { AddonRef, Knowledge } from '../model.js';
import { CIM_EVENTTYPES, CIM_FIELD_TAGS, SPLUNK_SA_CIM } from './cim.js';
import {
  DAC_NXLOG,
  OTHER_EVENTTYPES,
  OTHER_INPUTS,
  OTHER_STANZAS,
  SPLUNK_TA_CROWDSTRIKE_FDR,
  SPLUNK_TA_LINUX_SYSMON,
} from './others.js';
import { SPLUNK_TA_SYSMON, SYSMON_EVENTTYPES, SYSMON_STANZAS } from './sysmon.js';
import {
  SPLUNK_TA_WINDOWS,
  WINDOWS_EVENTTYPES,
  WINDOWS_FIELD_TAGS,
  WINDOWS_INPUTS,
  WINDOWS_STANZAS,
} from './windows.js';

export const SPLUNK_ADDONS: Knowledge = {
  inputs: [...WINDOWS_INPUTS, ...OTHER_INPUTS],
  stanzas: [...WINDOWS_STANZAS, ...SYSMON_STANZAS, ...OTHER_STANZAS],
  eventtypes: [...WINDOWS_EVENTTYPES, ...SYSMON_EVENTTYPES, ...OTHER_EVENTTYPES, ...CIM_EVENTTYPES],
  fieldTags: [...WINDOWS_FIELD_TAGS, ...CIM_FIELD_TAGS],
};

/** Every add-on the default knowledge transcribes (for docs and diagnostics). */
export const ADDONS: readonly AddonRef[] = [
  SPLUNK_TA_WINDOWS,
  SPLUNK_TA_SYSMON,
  SPLUNK_TA_LINUX_SYSMON,
  SPLUNK_TA_CROWDSTRIKE_FDR,
  SPLUNK_SA_CIM,
  DAC_NXLOG,
];

export {
  SPLUNK_SA_CIM,
  SPLUNK_TA_WINDOWS,
  SPLUNK_TA_SYSMON,
  SPLUNK_TA_LINUX_SYSMON,
  SPLUNK_TA_CROWDSTRIKE_FDR,
  DAC_NXLOG,
};
