#!/usr/bin/env node
// Thin launcher: the CLI is bundled by `npm run build` (run automatically by `npm install`).
import { existsSync } from 'node:fs';
const bundle = new URL('../dist/dac.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('dac: the CLI is not built; run `npm install` (or `npm run build`) at the repository root\n');
  process.exit(2);
}
await import(bundle.href);
