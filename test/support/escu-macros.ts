/**
 * ESCU's base macros for the Windows event logs the real-event tests and benchmarks read, as
 * defined in shared/corpus/escu/macros/{sysmon,wineventlog_security,powershell}.yml at b13b314
 * (copied here: tests run without ../shared).
 */
import { builtinMacros, macroTableFrom, type MacroDefinition, type MacroTable } from '@dac/spl';

export const ESCU_BASE_MACROS: readonly MacroDefinition[] = [
  {
    name: 'sysmon',
    args: [],
    definition:
      'sourcetype=XmlWinEventLog:Microsoft-Windows-Sysmon/Operational OR source=XmlWinEventLog:Microsoft-Windows-Sysmon/Operational OR source=Syslog:Linux-Sysmon/Operational',
  },
  {
    name: 'wineventlog_security',
    args: [],
    definition: 'eventtype=wineventlog_security OR Channel=security OR source=XmlWinEventLog:Security',
  },
  {
    name: 'powershell',
    args: [],
    definition:
      '(source=WinEventLog:Microsoft-Windows-PowerShell/Operational OR source="XmlWinEventLog:Microsoft-Windows-PowerShell/Operational")',
  },
];

/** The macros a search of those tests sees: Splunk_SA_CIM's (builtinMacros) and ESCU's base macros. */
export function escuSearchMacros(): MacroTable {
  return new Map([...builtinMacros(), ...macroTableFrom(ESCU_BASE_MACROS)]);
}
