import { visibleEscape } from './terminal.js';

/**
 * GitHub Actions workflow commands (`::error file=…,line=…::message`), escaped as the runner
 * unescapes them (actions/toolkit `packages/core/src/command.ts` `escapeData` / `escapeProperty`,
 * documented at docs.github.com "Workflow commands for GitHub Actions"):
 * - data (the message after the second `::`): `%` → `%25`, CR → `%0D`, LF → `%0A`;
 * - property values (`file=`, `title=`): the same plus `:` → `%3A` and `,` → `%2C`.
 * A line break written raw would end the command and let the rest of the text start a command of
 * its own (`::stop-commands::`, `::add-mask::`, a forged `::error`). Other control characters
 * (ESC, OSC) are not special to the runner but are rendered by the log viewer, so they are shown
 * as visible escapes (`\x1b`), as on a terminal.
 */

const OTHER_CONTROLS =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Escapes the message part of a workflow command. */
export function escapeGithubData(text: string): string {
  return text.replace(OTHER_CONTROLS, visibleEscape).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a property value of a workflow command (`file=`, `title=`). */
export function escapeGithubProperty(text: string): string {
  return escapeGithubData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const COMMAND_NAME = /^[a-z][a-z-]*$/;
const PROPERTY_NAME = /^[a-zA-Z][a-zA-Z0-9_]*$/;

/**
 * One workflow command line (without the newline): `::name k=v,k=v::message`, every property
 * value and the message escaped. Names are dac's own constants; an unusual one is a bug, so it
 * throws. Properties whose value is undefined are left out.
 */
export function githubCommand(
  name: string,
  properties: Readonly<Record<string, string | number | undefined>>,
  message: string,
): string {
  if (!COMMAND_NAME.test(name)) throw new Error(`not a workflow command name: ${JSON.stringify(name)}`);
  const props: string[] = [];
  for (const [k, v] of Object.entries(properties)) {
    if (v === undefined) continue;
    if (!PROPERTY_NAME.test(k)) throw new Error(`not a workflow command property: ${JSON.stringify(k)}`);
    props.push(`${k}=${escapeGithubProperty(String(v))}`);
  }
  return `::${name}${props.length ? ` ${props.join(',')}` : ''}::${escapeGithubData(message)}`;
}
