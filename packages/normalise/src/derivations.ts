import type { RawFields } from './types.js';

/**
 * Named derivations: the small set of transformations a field mapping may apply to a raw value
 * (`Image|basename`, `NewProcessId|hex2dec`, `Message|message_field:ProcessId`). Everything an
 * add-on does beyond renaming a field is one of these, so the mappings themselves stay data.
 *
 * A derivation returns `undefined` when the value does not exist after the transformation
 * (e.g. `dash_null` of `-`); the mapping then falls through to the next candidate field.
 */
export interface Derivation {
  /** One-line description, shown by docs and diagnostics. */
  doc: string;
  /** Whether the derivation takes an argument (`name:arg`). */
  arg?: 'required';
  /** Other raw fields the derivation reads from the event (so readers keep them). */
  reads?: string[];
  apply(value: string, event: RawFields, arg: string | undefined): string | undefined;
}

function basename(v: string): string {
  const i = Math.max(v.lastIndexOf('\\'), v.lastIndexOf('/'));
  return i < 0 ? v : v.slice(i + 1);
}

/** `^\s*("[^"]*"|\S+)\s*(.*)$` — first command-line token and the arguments after it. */
function splitCommandLine(cmd: string): { first: string; rest: string } {
  let i = 0;
  while (i < cmd.length && /\s/.test(cmd[i]!)) i++;
  let j: number;
  if (cmd[i] === '"') {
    const close = cmd.indexOf('"', i + 1);
    j = close < 0 ? cmd.length : close + 1;
  } else {
    j = i;
    while (j < cmd.length && !/\s/.test(cmd[j]!)) j++;
  }
  let k = j;
  while (k < cmd.length && /\s/.test(cmd[k]!)) k++;
  return { first: cmd.slice(i, j), rest: cmd.slice(k) };
}

export const DERIVATIONS: Record<string, Derivation> = {
  basename: {
    doc: 'text after the last `\\` or `/` (case kept): `C:\\x\\ngrok.exe` → `ngrok.exe`',
    apply: (v) => basename(v),
  },
  endswith: {
    // ESCU writes `Image|endswith: Processes.process_name` for "the file-name part of Image".
    doc: 'ESCU notation for the basename (same as `basename`)',
    apply: (v) => basename(v),
  },
  win_basename: {
    // Sysmon TA 8.1.0 `replace(Image,"(.*\\\)(?=...)","")`: strips up to the last backslash only.
    doc: "text after the last `\\` only (the Windows add-ons' regex)",
    apply: (v) => {
      const i = v.lastIndexOf('\\');
      return i < 0 ? v : v.slice(i + 1);
    },
  },
  dirname: {
    doc: 'text before the last `\\` or `/`; undefined when there is none',
    apply: (v) => {
      const i = Math.max(v.lastIndexOf('\\'), v.lastIndexOf('/'));
      return i < 0 ? undefined : v.slice(0, i);
    },
  },
  hex2dec: {
    doc: '`0x1b28` → `6952`; a value that is not `0x…` hex is kept as it is',
    apply: (v) => {
      const m = /^\s*0[xX]([0-9a-fA-F]+)\s*$/.exec(v);
      return m ? BigInt(`0x${m[1]}`).toString(10) : v;
    },
  },
  lower: { doc: 'lower-cases the value', apply: (v) => v.toLowerCase() },
  upper: { doc: 'upper-cases the value', apply: (v) => v.toUpperCase() },
  trim: { doc: 'removes leading and trailing whitespace', apply: (v) => v.trim() },
  dash_null: {
    // Windows writes `-` for "no value" (TargetUserName, TargetDomainName, …).
    doc: 'treats `-` (Windows\' "no value") and the empty string as missing',
    apply: (v) => (v === '-' || v === '' ? undefined : v),
  },
  copy: {
    // YAML mapping keys are unique; `Field|copy` lets one raw field feed a second CIM field.
    doc: 'the value unchanged (lets one raw field feed several CIM fields)',
    apply: (v) => v,
  },
  ta_windows_4688_process: {
    // Splunk_TA_windows 8.1.2 props.conf EVAL-process for EventCode 4688 (splunk-semantics.md §4.2),
    // applied to NewProcessName: the raw CommandLine if its first token contains a backslash;
    // otherwise NewProcessName (quoted if it contains whitespace) followed by the arguments;
    // NewProcessName itself when there is no command line (command-line auditing off).
    doc: 'Splunk_TA_windows `process` for 4688, applied to NewProcessName: CommandLine with its first token replaced by NewProcessName unless that token is a path',
    reads: ['CommandLine'],
    apply: (newName, ev) => {
      const c = ev.CommandLine;
      const cmd = typeof c === 'string' ? c : undefined;
      if (cmd === undefined || cmd.trim() === '') return newName === '' ? undefined : newName;
      const { first, rest } = splitCommandLine(cmd);
      if (first.includes('\\') || newName === '') return cmd;
      const exe = /\s/.test(newName) ? `"${newName}"` : newName;
      return rest === '' ? exe : `${exe} ${rest}`;
    },
  },
  message_field: {
    // NXLog puts the Sysmon EventData ProcessId only inside Message (`\r\nProcessId: 2968\r\n`),
    // because its own ProcessID key (the Sysmon service PID) collides with it (escu-corpus.md §9.1).
    doc: 'the value of a `Key: value` line inside a rendered Message text (`message_field:ProcessId`)',
    arg: 'required',
    apply: (v, _ev, arg) => {
      const key = `${arg}: `;
      let at = v.startsWith(key) ? 0 : -1;
      if (at < 0) {
        const i = v.indexOf(`\n${key}`);
        if (i < 0) return undefined;
        at = i + 1;
      }
      const start = at + key.length;
      let end = v.indexOf('\n', start);
      if (end < 0) end = v.length;
      const out = v.slice(start, end).replace(/\r$/, '').trim();
      return out === '' ? undefined : out;
    },
  },
};
