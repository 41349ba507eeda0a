import { createRequire } from 'node:module';
import type * as TsMorph from 'ts-morph';
import type TypeScript from 'typescript';

// ts-morph and typescript take ~1 s to load. Every `dac` command shares one bundle, and most
// (validate, build, version-check) never generate code, so the compiler is loaded on first use.
const load = createRequire(import.meta.url);
let tsMorphModule: typeof TsMorph | undefined;
let typescriptModule: typeof TypeScript | undefined;

export function tsMorph(): typeof TsMorph {
  return (tsMorphModule ??= load('ts-morph') as typeof TsMorph);
}

export function typescript(): typeof TypeScript {
  return (typescriptModule ??= load('typescript') as typeof TypeScript);
}
