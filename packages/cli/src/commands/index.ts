import type { DacCommand } from '../program.js';

/**
 * Every `dac` sub-command, one module each. Add a command by adding its module here.
 */
export const commands: DacCommand[] = [];
