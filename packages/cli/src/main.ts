import { describeFailure, run } from './program.js';

// Errors in user input are diagnostics; anything that reaches here is an internal failure (exit 2).
run(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(describeFailure('', e));
    process.exitCode = 2;
  },
);
