import { Command, CommanderError } from 'commander';
import { MissingAssetError } from '@dac/assets';
import { isFileSystemError } from '@dac/content';
import { FsRefusal, OutputRefusal } from '@dac/fs';
import cliPackage from '../package.json';
import { commands } from './commands/index.js';
import { resolveContentRoot } from './content-root.js';

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
    .version(cliPackage.version, '-V, --version', 'print the version of dac')
    .showHelpAfterError()
    .exitOverride();
  for (const c of commands) c.register(program, setExit);
  // `--content` left at its default means: the content root the working folder is in.
  program.hook('preAction', (_program, action) => resolveContentRoot(action));
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

const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EEXIST: 'it already exists',
};

/**
 * The message for a failure that escaped a command. A file-system error (an output folder that
 * cannot be written, a disk that is full) is the user's environment, not a bug: one plain line.
 * Anything else is an internal error and keeps its stack for the bug report.
 */
export function describeFailure(command: string, e: unknown): string {
  const who = command ? `dac ${command}` : 'dac';
  if (isFileSystemError(e)) {
    const reason = FS_REASONS[e.code ?? ''] ?? e.code;
    return `${who}: cannot ${e.syscall}${e.path ? ` ${e.path}` : ''}: ${reason}\n`;
  }
  // A path dac refuses to read or write (a link out of the content root, into an output folder).
  if (e instanceof FsRefusal || e instanceof OutputRefusal) return `${who}: ${e.message}\n`;
  // An incomplete installation: say which file is missing, no stack.
  if (e instanceof MissingAssetError) return `${who}: ${e.message}\n`;
  return `${who}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`;
}
