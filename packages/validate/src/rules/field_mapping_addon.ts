import { checkFieldMappings, defaultAddonEngine, defaultDataModels } from '@dac/normalise';
import type { Finding, FileRule } from '../types.js';

/**
 * A data source's `field_mappings` document what the Splunk add-on does to its events; they are
 * not the add-on. `dac replay`/`dac test` follow the add-on (as Splunk does), so a mapping that
 * contradicts it would make the documentation — and any tool that trusts it — disagree with
 * Splunk. ESCU upstream maps Sysmon's `ParentImage` (a full path) to
 * `Processes.parent_process_name`, which the Sysmon add-on makes the basename: with that mapping
 * trusted, `chcp_command_execution` (`parent_process_name = cmd.exe`) would miss where Splunk
 * fires. @dac/normalise `checkFieldMappings` finds the contradictions on a probe event
 * (docs/addons.md "Content field mappings are checked, not trusted").
 */
export const fieldMappingAddon: FileRule = {
  id: 'field-mapping-addon',
  scope: 'file',
  kinds: ['data_source'],
  defaultSeverity: 'warning',
  description:
    "A data source's field_mappings agree with the Splunk add-on's extraction of its events (the replay follows the add-on).",
  check(ctx) {
    const ds = ctx.file.value as { field_mappings?: unknown } | undefined;
    if (!ds || typeof ds !== 'object' || !Array.isArray(ds.field_mappings)) return [];
    if (ctx.schemaFailed(['field_mappings'])) return [];
    let found: ReturnType<typeof checkFieldMappings>;
    try {
      found = checkFieldMappings(ds as Parameters<typeof checkFieldMappings>[0], {
        engine: defaultAddonEngine(),
        dataModels: defaultDataModels(),
      });
    } catch {
      return []; // a shape the schema already rejects
    }
    const mappings = ds.field_mappings as { data_set?: unknown; mapping?: Record<string, unknown> }[];
    const out: Finding[] = [];
    for (const c of found) {
      const firstKey = c.key.split(', ')[0] ?? c.key;
      const i = mappings.findIndex(
        (m) => m && m.data_set === c.dataSet && m.mapping && typeof m.mapping === 'object' && firstKey in m.mapping,
      );
      const at =
        i >= 0
          ? ctx.pos(['field_mappings', i, 'mapping', firstKey], 'key')
          : ctx.pos([
              'field_mappings',
              Math.max(
                0,
                mappings.findIndex((m) => m?.data_set === c.dataSet),
              ),
            ]);
      out.push({ ...at, message: c.message });
    }
    return out;
  },
};
