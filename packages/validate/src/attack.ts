import { readFileSync } from 'node:fs';
import { assetPath } from '@dac/assets';

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

/** The ATT&CK index (@dac/assets `attack`), read once per thread. Throws when the file is missing (installation fault). */
export function loadAttack(): AttackIndex {
  cached ??= parseAttackCsv(readFileSync(assetPath('attack'), 'utf8'));
  return cached;
}
