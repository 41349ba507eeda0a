import type { DacCommand } from '../program.js';
import { validateCommand } from './validate.js';
import { versionCheckCommand } from './version-check.js';
import { ciCommand } from './ci.js';
import { buildCommand } from './build.js';
import { testCommand } from './test.js';
import { replayCommand } from './replay.js';
import { compileCommand } from './compile.js';
import { initCommand } from './init.js';
import { newCommand } from './new.js';
import { planCommand } from './plan.js';
import { scanCommand } from './scan.js';

/**
 * Every `dac` sub-command, one module each. Add a command by adding its module here.
 */
export const commands: DacCommand[] = [
  validateCommand,
  versionCheckCommand,
  ciCommand,
  buildCommand,
  testCommand,
  replayCommand,
  compileCommand,
  initCommand,
  newCommand,
  planCommand,
  scanCommand,
];
