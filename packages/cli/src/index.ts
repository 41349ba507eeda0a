export { run, buildProgram, EXIT_OK, EXIT_FAILED, EXIT_USAGE, type DacCommand } from './program.js';
