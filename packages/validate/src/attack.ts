import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Offline MITRE ATT&CK technique list: `schemas/attack/mitre_enrichment.csv`, a copy of the
 * enrichment table contentctl uses (`mitre_id,technique,tactics,groups`; no quoting).
 */
export interface AttackTechnique {
  id: string;
  name: string;
  tactics: string[];
}

export interface AttackIndex {
  get(id: string): AttackTechnique | undefined;
  size: number;
}

export const ATTACK_CSV = join('schemas', 'attack', 'mitre_enrichment.csv');

/** Finds the repository copy of the CSV: DAC_REPO_ROOT, else walking up from this module, else from cwd. */
export function findAttackCsv(): string | undefined {
  const starts: string[] = [];
  if (process.env.DAC_REPO_ROOT) starts.push(resolve(process.env.DAC_REPO_ROOT));
  try {
    starts.push(dirname(fileURLToPath(import.meta.url)));
  } catch {
    // not a file: URL (bundled into a data: module); fall back to the working directory
  }
  starts.push(process.cwd());
  for (const start of starts) {
    for (let dir = start; ; dir = dirname(dir)) {
      const p = join(dir, ATTACK_CSV);
      if (existsSync(p)) return p;
      if (dirname(dir) === dir) break;
    }
  }
  return undefined;
}

export function parseAttackCsv(text: string): AttackIndex {
  const map = new Map<string, AttackTechnique>();
  const lines = text.split(/\r?\n/);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line) continue;
    const [id, name, tactics] = line.split(',');
    if (!id || !/^T\d{4}(\.\d{3})?$/.test(id)) continue;
    map.set(id, { id, name: name ?? '', tactics: tactics ? tactics.split('|') : [] });
  }
  return { get: (id) => map.get(id), size: map.size };
}

let cached: AttackIndex | undefined;

/** The ATT&CK index, read once per thread. Throws when the repository copy is missing (installation fault). */
export function loadAttack(): AttackIndex {
  if (cached) return cached;
  const path = findAttackCsv();
  if (!path)
    throw new Error(`cannot find ${ATTACK_CSV} (the offline ATT&CK data); set DAC_REPO_ROOT to the dac repository`);
  cached = parseAttackCsv(readFileSync(path, 'utf8'));
  return cached;
}
