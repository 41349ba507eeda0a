import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/**
 * One sub-command of `dac`. `register` adds it to the program; its action must set the exit code
 * through `setExit` rather than calling process.exit, so output streams flush.
 */
export interface DacCommand {
  register(program: Command, setExit: (code: number) => void): void;
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('dac')
    .description('Detection-as-code for Splunk ESCU-format content: validate, test, build, version-check')
    .showHelpAfterError()
    .exitOverride();
  for (const c of commands) c.register(program, setExit);
  return program;
}

/** Runs the CLI with the given argv and resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram((c) => {
    code = Math.max(code, c);
  });
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end with exit code 0; everything else commander rejects is usage.
      return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    throw e;
  }
  return code;
}
