import { InvalidArgumentError, Option, type Command } from 'commander';

/**
 * `-j, --jobs <n>`: threads to validate with (this one plus n − 1 worker threads; 0 or 1: this
 * thread only). `--workers <n>` is its older spelling, kept working. The default is the command's
 * (validate: the machine's available parallelism for large trees).
 */
export function addJobsOption(command: Command, description: string): Command {
  return command
    .addOption(new Option('-j, --jobs <n>', description).argParser(parseCount))
    .addOption(new Option('--workers <n>', 'older spelling of --jobs').argParser(parseCount).hideHelp());
}

/** The thread count --jobs (or --workers) asked for, if any. */
export function jobsOf(opts: { jobs?: number; workers?: number }): number | undefined {
  return opts.jobs ?? opts.workers;
}

function parseCount(v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expected a whole number');
  return Number(v);
}
