import type { ContentKind, Diagnostic, YamlFile } from '@dac/content';
import { compareDiagnostics, loadConfig, positionOfPath } from '@dac/content';
import { meaningHash } from './canonical.js';
import { checkChangesets, type ChangesetReport } from './changesets.js';
import { loadComparison, type Comparison, type FileKind, type SideFile } from './compare.js';
import { VersioningError } from './git.js';
import { applyFixes, type AppliedFix, type PlannedFix } from './fix.js';

export type BumpLevel = 'patch' | 'minor' | 'major';
export const BUMP_ORDER: Record<BumpLevel | 'none', number> = { none: 0, patch: 1, minor: 2, major: 3 };

export interface VersionCheckOptions {
  /** Content root (default: the current directory). */
  contentRoot: string;
  /** Git ref to compare with (branch, tag, commit). */
  base: string;
  /** Accept deleted detections (they count as removals, a major bump). */
  allowRemoval?: boolean;
  /** Rewrite `version:` and `date:` in place where the required value is known. */
  fix?: boolean;
  /** Clock for "today" (UTC); tests pass a fixed date. */
  now?: Date;
}

export type DetectionStatusChange = 'new' | 'changed' | 'unchanged' | 'removed';

export interface DetectionReport {
  id: string;
  name: string;
  change: DetectionStatusChange;
  /** Working-tree path (base path for removed detections). */
  file: string;
  /** Base path when the file moved or was renamed. */
  movedFrom?: string;
  baseVersion?: number;
  version?: unknown;
}

/** A content object (any kind) that differs in meaning between the base and the working tree. */
export interface ContentChange {
  kind: FileKind;
  /** `name` of the object (file name for lookup files). */
  name: string;
  file: string;
  change: 'added' | 'changed' | 'removed';
}

export interface VersionCheckResult {
  base: { ref: string; refCommit: string; commit: string; usedMergeBase: boolean };
  diagnostics: Diagnostic[];
  detections: DetectionReport[];
  contentChanges: ContentChange[];
  /** The app version bump the content changes call for; undefined when no content changed. */
  suggestedBump: BumpLevel | undefined;
  changeset: ChangesetReport;
  /** What --fix rewrote. */
  fixes: AppliedFix[];
  /** Today's date (UTC) as used for date rules. */
  today: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Compares every detection in the working tree with the base ref by id and enforces the version
 * rules; checks that a changeset bumps the content package when content changed. Throws
 * VersioningError for usage/environment problems (unknown ref, shallow clone, unparsable base).
 */
export function checkVersions(opts: VersionCheckOptions): VersionCheckResult {
  const first = checkOnce(opts);
  if (!opts.fix || first.planned.length === 0) return first.result;
  const applied = applyFixes(first.planned);
  const second = checkOnce({ ...opts, fix: false });
  return { ...second.result, fixes: applied };
}

/**
 * One detection on one side, parsed lazily. A file with the same bytes at the same path on both
 * sides is `identical`: it cannot break a rule, so only its id (for matching moved files and
 * duplicates) is read, by a strict line match, and the YAML is parsed only if a position is needed.
 */
class Parsed {
  readonly id: string | undefined;
  readonly identical: boolean;
  readonly quickName: string | undefined;
  readonly quickVersion: number | undefined;
  private parsed?: { file: YamlFile; data: Record<string, unknown> | undefined; hash: string };

  constructor(
    private readonly cmp: Comparison,
    readonly side: SideFile,
    quick?: QuickIdentity,
  ) {
    this.identical = quick !== undefined;
    if (quick) {
      this.id = quick.id;
      this.quickName = quick.name;
      this.quickVersion = quick.version;
    } else {
      const d = this.data;
      this.id = d && typeof d.id === 'string' && d.id.trim() ? d.id.trim().toLowerCase() : undefined;
    }
  }

  private load() {
    if (!this.parsed) {
      const file = this.cmp.parse(this.side);
      const v = file.value;
      const data =
        typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
      this.parsed = { file, data, hash: meaningHash(data ?? v) };
    }
    return this.parsed;
  }
  get file(): YamlFile {
    return this.load().file;
  }
  get data(): Record<string, unknown> | undefined {
    return this.load().data;
  }
  /** Meaning without version/date. */
  get hash(): string {
    return this.load().hash;
  }
  get name(): string {
    if (this.identical && !this.parsed) return this.quickName ?? this.side.relPath;
    return typeof this.data?.name === 'string' ? this.data.name : this.side.relPath;
  }
}

interface QuickIdentity {
  id: string;
  name?: string;
  version?: number;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const TOP_KEY = (key: string) =>
  new RegExp(`^${key}:[ \\t]*(?:'([^'\\n]*)'|"([^"\\\\\\n]*)"|([^\\s'"#&*!|>{\\[][^\\n#]*?))[ \\t]*(?:#.*)?$`, 'gm');
const ID_LINE = TOP_KEY('id');
const NAME_LINE = TOP_KEY('name');
const VERSION_LINE = TOP_KEY('version');

/**
 * Reads a detection's top-level `id` (and name, version) by line match; undefined unless the
 * answer is certain (exactly one `id:` line at column 0 holding a UUID), in which case the
 * caller parses the file properly. Top-level keys are the only lines at column 0 a block mapping
 * can have: continuation lines of values are indented.
 */
export function quickIdentity(bytes: Buffer | undefined): QuickIdentity | undefined {
  if (!bytes) return undefined;
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const one = (re: RegExp) => {
    const m = [...text.matchAll(re)];
    if (m.length !== 1) return undefined;
    // An indented next line would continue a plain scalar (`id: x\n  y` is "x y"): not certain.
    const after = text.slice(m[0]!.index! + m[0]![0].length);
    if (/^\r?\n(?:[ \t]*\r?\n)*[ \t]+\S/.test(after)) return undefined;
    return m[0]![1] ?? m[0]![2] ?? m[0]![3];
  };
  const id = one(ID_LINE)?.trim();
  if (!id || !UUID.test(id) || /^---|^\.\.\.|^[{[]/m.test(text)) return undefined;
  const version = one(VERSION_LINE);
  return {
    id: id.toLowerCase(),
    name: one(NAME_LINE)?.trim(),
    version: version && /^\d+$/.test(version.trim()) ? Number(version) : undefined,
  };
}

/**
 * The date rule for a changed detection: `date` is on or after the base's date and not after
 * today (UTC, as contentctl >= 5.5.15 rejects future dates), and it moves when the base's date is
 * earlier than today. So a detection edited again on the day it was last dated keeps that date,
 * while one dated on an earlier day must move on (up to today). Returns the error, or undefined
 * when the date is fine; `fixable` says whether today's date satisfies the rule (it does not when
 * the base's own date is in the future: no date can be both >= it and <= today).
 */
export function changedDateRule(
  date: string | undefined,
  baseDate: string | undefined,
  today: string,
  ref: string,
): { message: string; fixable: boolean } | undefined {
  const baseKnown = baseDate !== undefined && ISO_DATE.test(baseDate);
  if (baseKnown && baseDate > today)
    return {
      fixable: false,
      message: `date cannot be checked: at ${ref} the date is ${baseDate}, which is in the future (today is ${today} UTC), so no date is both on or after it and not in the future; fix the date on the base branch`,
    };
  const since = baseKnown ? `, on or after ${baseDate} (its date at ${ref})` : '';
  if (date === undefined || !ISO_DATE.test(date))
    return {
      fixable: true,
      message: `date must be ${today}: the detection changed, so it needs a YYYY-MM-DD date${since}, not in the future (UTC)`,
    };
  if (date > today)
    return { fixable: true, message: `date must be ${today}: ${date} is in the future (today is ${today} UTC)` };
  if (!baseKnown || date > baseDate || date === today) return undefined;
  if (date === baseDate)
    return {
      fixable: true,
      message: `date must be ${today}: the detection changed since ${ref}, where its date is ${baseDate}; a change dated before today moves the date (to any day after ${baseDate}, up to today UTC)`,
    };
  return {
    fixable: true,
    message: `date must be ${today}: ${date} is earlier than ${baseDate}, the detection's date at ${ref}; a changed detection's date is on or after it and not in the future (UTC)`,
  };
}

function checkOnce(opts: VersionCheckOptions): { result: VersionCheckResult; planned: PlannedFix[] } {
  const cmp = loadComparison(opts.contentRoot, opts.base);
  const ref = opts.base;
  const today = todayUtc(opts.now);
  const diagnostics: Diagnostic[] = [];
  const planned: PlannedFix[] = [];
  const detections: DetectionReport[] = [];
  const contentChanges: ContentChange[] = [];
  const at = (p: Parsed, key: string, which: 'key' | 'value' = 'key') => positionOfPath(p.file, [key], which);
  const err = (p: Parsed, key: string, rule: string, message: string) =>
    diagnostics.push({ file: p.side.relPath, ...at(p, key), severity: 'error', rule, message });

  // ---- base detections (must all parse: they are the reference) ----
  const baseById = new Map<string, Parsed>();
  const baseByPath = new Map<string, Parsed>();
  const quick = new Map<string, QuickIdentity | undefined>();
  for (const side of cmp.baseFiles.values()) {
    if (side.kind !== 'detection') continue;
    const twin = cmp.workFiles.get(side.relPath);
    if (twin && twin.oid === side.oid) quick.set(side.relPath, quickIdentity(twin.bytes));
    const p = new Parsed(cmp, side, quick.get(side.relPath));
    if (p.identical) {
      baseByPath.set(side.relPath, p);
      if (!baseById.has(p.id!)) baseById.set(p.id!, p);
      continue;
    }
    const bad = p.file.diagnostics.find((d) => d.severity === 'error');
    if (bad || !p.data) {
      const why = bad ? `${bad.line}:${bad.column}: ${bad.message}` : 'it is not a YAML mapping';
      throw new VersioningError(
        `${side.relPath} does not parse at ${ref} (${cmp.base.commit.slice(0, 12)}): ${why}; fix it on the base branch first, or pass another --base`,
      );
    }
    if (!p.id)
      throw new VersioningError(
        `${side.relPath} has no id at ${ref} (${cmp.base.commit.slice(0, 12)}), so it cannot be matched; fix it on the base branch first, or pass another --base`,
      );
    baseByPath.set(side.relPath, p);
    if (!baseById.has(p.id)) baseById.set(p.id, p);
  }

  // ---- working-tree detections ----
  const work: Parsed[] = [];
  const unparsed = new Set<string>();
  const workById = new Map<string, Parsed>();
  for (const side of cmp.workFiles.values()) {
    if (side.kind !== 'detection') continue;
    const p = new Parsed(
      cmp,
      side,
      cmp.baseFiles.get(side.relPath)?.oid === side.oid ? quick.get(side.relPath) : undefined,
    );
    if (p.identical) {
      work.push(p);
      continue;
    }
    const errors = p.file.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0 || !p.data || !p.id) unparsed.add(side.relPath);
    if (errors.length > 0 || !p.data) {
      if (errors.length > 0) diagnostics.push(...errors);
      else
        diagnostics.push({
          file: side.relPath,
          line: 1,
          column: 1,
          severity: 'error',
          rule: 'version-id',
          message: 'a detection must be a YAML mapping; cannot check its version',
        });
      continue;
    }
    if (!p.id) {
      err(
        p,
        'id',
        'version-id',
        'detection has no id; every detection needs a unique UUID id (ES tracks detections by id)',
      );
      continue;
    }
    work.push(p);
  }
  // Duplicates: the file at the base path of that id (or the first by path) keeps the id.
  const byId = new Map<string, Parsed[]>();
  for (const p of work) byId.set(p.id!, [...(byId.get(p.id!) ?? []), p]);
  for (const [id, list] of byId) {
    const basePath = baseById.get(id)?.side.relPath;
    const owner = list.find((p) => p.side.relPath === basePath) ?? list[0]!;
    workById.set(id, owner);
    for (const p of list) {
      if (p === owner) continue;
      err(
        p,
        'id',
        'duplicate-id',
        `duplicate id ${String(p.data!.id)}: ${owner.side.relPath} already uses it; give this detection a new UUID`,
      );
    }
  }

  // ---- id changed for an existing file ----
  const idChanged = new Set<Parsed>();
  for (const p of workById.values()) {
    const old = baseByPath.get(p.side.relPath);
    if (!old || old.id === p.id) continue;
    if (workById.has(old.id!)) continue; // the old detection moved elsewhere; this file is a new one
    idChanged.add(p);
    err(
      p,
      'id',
      'version-id',
      `id must be ${String(old.data!.id)}: this file had that id at ${ref}; the id of an existing detection never changes (ES tracks detections by id) — to replace a detection, deprecate it and add a new file with a new id`,
    );
  }

  // ---- version and date rules ----
  for (const p of workById.values()) {
    if (idChanged.has(p)) continue;
    const b = baseById.get(p.id!);
    if (b && p.identical && b.identical && b.side.relPath === p.side.relPath) {
      detections.push({
        id: p.id!,
        name: p.name,
        change: 'unchanged',
        file: p.side.relPath,
        baseVersion: p.quickVersion,
        version: p.quickVersion,
      });
      continue;
    }
    const name = p.name;
    const version = p.data!.version;
    const date = p.data!.date === undefined ? undefined : String(p.data!.date);
    if (!b) {
      detections.push({ id: p.id!, name, change: 'new', file: p.side.relPath, version });
      contentChanges.push({ kind: 'detection', name, file: p.side.relPath, change: 'added' });
      if (!Number.isInteger(version) || (version as number) < 1) {
        err(
          p,
          'version',
          'version-bump',
          `version must be 1: a new detection (its id is not at ${ref}) starts at version 1`,
        );
        planned.push({ side: p.side, file: p.file, key: 'version', to: 1 });
      }
      if (date === undefined || !ISO_DATE.test(date) || date > today) {
        err(
          p,
          'date',
          'version-date',
          `date must be ${today}: a new detection's date must be a YYYY-MM-DD date, not in the future (UTC)`,
        );
        planned.push({ side: p.side, file: p.file, key: 'date', to: today });
      }
      continue;
    }
    const baseVersion = b.data!.version;
    const baseDate = b.data!.date === undefined ? undefined : String(b.data!.date);
    const moved = b.side.relPath !== p.side.relPath ? b.side.relPath : undefined;
    const changed = b.hash !== p.hash;
    detections.push({
      id: p.id!,
      name,
      change: changed ? 'changed' : 'unchanged',
      file: p.side.relPath,
      movedFrom: moved,
      baseVersion: Number.isInteger(baseVersion) ? (baseVersion as number) : undefined,
      version,
    });
    // A bump without a change is its own error, not a content change that needs a changeset.
    if (changed) {
      const removedNow = p.data!.status === 'removed' && b.data!.status !== 'removed';
      contentChanges.push({
        kind: 'detection',
        name,
        file: p.side.relPath,
        change: removedNow ? 'removed' : 'changed',
      });
    }
    if (!Number.isInteger(baseVersion)) {
      diagnostics.push({
        file: p.side.relPath,
        ...at(p, 'version'),
        severity: 'warning',
        rule: 'version-bump',
        message: `cannot check the version: at ${ref} (${b.side.relPath}) the version is not an integer`,
      });
      continue;
    }
    const bv = baseVersion as number;
    if (changed) {
      if (version !== bv + 1) {
        const why = Number.isInteger(version) && (version as number) > bv + 1 ? ' (bump by exactly one)' : '';
        err(
          p,
          'version',
          'version-bump',
          `version must be ${bv + 1}: the detection changed since ${ref}, where it is version ${bv}${why}`,
        );
        planned.push({ side: p.side, file: p.file, key: 'version', to: bv + 1 });
      }
      const dateRule = changedDateRule(date, baseDate, today, ref);
      if (dateRule) {
        err(p, 'date', 'version-date', dateRule.message);
        if (dateRule.fixable) planned.push({ side: p.side, file: p.file, key: 'date', to: today });
      }
    } else {
      if (version !== bv) {
        err(
          p,
          'version',
          'version-bump',
          `version must be ${bv}: nothing but version/date changed since ${ref}; a bump without a change hides real changes`,
        );
        planned.push({ side: p.side, file: p.file, key: 'version', to: bv });
      }
      if (date !== baseDate && baseDate !== undefined) {
        err(
          p,
          'date',
          'version-date',
          `date must be ${baseDate}: the detection is unchanged since ${ref}, so its date stays`,
        );
        planned.push({ side: p.side, file: p.file, key: 'date', to: baseDate });
      }
    }
  }

  // ---- removed detections ----
  const workByPath = new Map([...workById.values()].map((p) => [p.side.relPath, p]));
  for (const [id, b] of baseById) {
    if (workById.has(id)) continue;
    const inPlace = workByPath.get(b.side.relPath);
    if (inPlace && idChanged.has(inPlace)) continue; // reported as an id change
    if (unparsed.has(b.side.relPath)) continue; // its YAML error is reported; no id to match yet
    const name = b.name;
    detections.push({
      id,
      name,
      change: 'removed',
      file: b.side.relPath,
      baseVersion: Number.isInteger(b.data!.version) ? (b.data!.version as number) : undefined,
    });
    contentChanges.push({ kind: 'detection', name, file: b.side.relPath, change: 'removed' });
    if (!opts.allowRemoval) {
      diagnostics.push({
        file: b.side.relPath,
        line: 1,
        column: 1,
        severity: 'error',
        rule: 'version-removed',
        message: `detection ${JSON.stringify(name)} (${String(b.data!.id)}) was deleted; keep the file and set status: deprecated (ES and content updates track detections by id), or pass --allow-removal to remove it on purpose`,
      });
    }
  }

  // ---- other content (macros, stories, data sources, lookups, lookup files) ----
  contentChanges.push(...otherContentChanges(cmp));

  let suggestedBump: BumpLevel | undefined;
  for (const c of contentChanges) {
    const level: BumpLevel = c.change === 'removed' ? 'major' : c.change === 'added' ? 'minor' : 'patch';
    if (!suggestedBump || BUMP_ORDER[level] > BUMP_ORDER[suggestedBump]) suggestedBump = level;
  }
  const changeset = checkChangesets(cmp, { ref, contentChanges, suggestedBump, diagnostics });

  // Per-rule severity overrides from dac.config.yaml `rules:` (error | warning | off), as for validate.
  const overrides = loadConfig(cmp.root).config.rules;
  const finalDiagnostics: Diagnostic[] = [];
  for (const d of diagnostics) {
    const o = overrides[d.rule];
    if (o === 'off') continue;
    finalDiagnostics.push(o ? { ...d, severity: o } : d);
  }
  diagnostics.length = 0;
  diagnostics.push(...finalDiagnostics);
  diagnostics.sort(compareDiagnostics);
  detections.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  contentChanges.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return {
    result: {
      base: { ref, refCommit: cmp.base.refCommit, commit: cmp.base.commit, usedMergeBase: cmp.base.usedMergeBase },
      diagnostics,
      detections,
      contentChanges,
      suggestedBump,
      changeset,
      fixes: [],
      today,
    },
    planned,
  };
}

/**
 * Meaning changes of non-detection content, matched by kind and `name` (so a moved macro is not
 * a removal); lookup data files by path and blob id.
 */
function otherContentChanges(cmp: Comparison): ContentChange[] {
  const out: ContentChange[] = [];
  // Same bytes at the same path: unchanged, nothing to read. The rest is matched by kind + name.
  const differs = (side: SideFile, other: Map<string, SideFile>) =>
    side.kind !== 'detection' && other.get(side.relPath)?.oid !== side.oid;
  const keyed = (files: Map<string, SideFile>, other: Map<string, SideFile>) => {
    const m = new Map<string, { side: SideFile; hash?: string; name: string }>();
    for (const side of files.values()) {
      if (!differs(side, other)) continue;
      if (side.kind === 'lookup_file') {
        m.set(`lookup_file\0${side.relPath}`, { side, name: side.relPath.slice(side.relPath.lastIndexOf('/') + 1) });
        continue;
      }
      const f = cmp.parse(side);
      const v = f.value as Record<string, unknown> | undefined;
      const name = v && typeof v === 'object' && typeof v.name === 'string' ? v.name : side.relPath;
      const key = `${side.kind}\0${name}`;
      if (!m.has(key))
        m.set(key, {
          side,
          name,
          hash: f.diagnostics.some((d) => d.severity === 'error') ? `bad:${side.oid}` : meaningHash(v, []),
        });
    }
    return m;
  };
  const base = keyed(cmp.baseFiles, cmp.workFiles);
  const work = keyed(cmp.workFiles, cmp.baseFiles);
  for (const [key, w] of work) {
    const b = base.get(key);
    const kind = w.side.kind as FileKind;
    if (!b) out.push({ kind, name: w.name, file: w.side.relPath, change: 'added' });
    else if (b.side.oid !== w.side.oid && (kind === 'lookup_file' || b.hash !== w.hash))
      out.push({ kind, name: w.name, file: w.side.relPath, change: 'changed' });
  }
  for (const [key, b] of base) {
    if (!work.has(key))
      out.push({ kind: b.side.kind as FileKind, name: b.name, file: b.side.relPath, change: 'removed' });
  }
  return out;
}

export type { ContentKind };
