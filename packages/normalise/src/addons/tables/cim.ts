/**
 * Splunk Common Information Model add-on (Splunk_SA_CIM) 4.20.0: the tags and eventtypes it adds
 * to every event (`default/tags.conf`, `default/eventtypes.conf`, seen at
 * splunk/pytest-splunk-addon@94b838b deps/apps/Splunk_SA_CIM/default/ — the same bundle whose
 * data-model JSONs are schemas/datamodels). Its Splunk-internal eventtypes (index=_audit,
 * _internal, cim_modactions) are left out: no replayed event is in those indexes.
 */
import type { AddonRef, Eventtype, FieldTag } from '../model.js';

export const SPLUNK_SA_CIM: AddonRef = {
  id: 'Splunk_SA_CIM',
  title: 'Splunk Common Information Model',
  version: '4.20.0',
  seen: 'splunk/pytest-splunk-addon@94b838b deps/apps/Splunk_SA_CIM/default/tags.conf, eventtypes.conf',
};

export const CIM_FIELD_TAGS: FieldTag[] = (
  [
    ['action', 'failure', 'failure'],
    ['action', 'success', 'success'],
    ['is_default', 'true', 'default'],
    ['src_user_category', 'default', 'default'],
    ['user_category', 'default', 'default'],
    ['is_local', 'true', 'local'],
    ['is_privileged', 'true', 'privileged'],
    ['src_user_category', 'privileged', 'privileged'],
    ['user_category', 'privileged', 'privileged'],
    ['is_remote', 'true', 'remote'],
    ['object_category', 'file', 'filesystem'],
    ['object_category', 'directory', 'filesystem'],
    ['object_category', 'registry', 'registry'],
  ] as const
).map(([field, value, tags]) => ({
  field,
  value,
  tags: tags.split(' '),
  addon: SPLUNK_SA_CIM,
  at: `tags.conf [${field}=${value}]`,
}));

export const CIM_EVENTTYPES: Eventtype[] = [
  {
    // Bare terms match _raw (search-language term semantics).
    name: 'err0r',
    search: 'NOT sourcetype=stash (error OR failure OR fail OR failed OR fatal) NOT "not an error"',
    tags: ['error'],
    addon: SPLUNK_SA_CIM,
    at: 'eventtypes.conf [err0r], tags.conf [eventtype=err0r]',
  },
];
