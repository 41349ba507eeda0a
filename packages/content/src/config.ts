import { existsSync } from 'node:fs';
import { readConfinedFile } from '@dac/fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Diagnostic } from './diagnostic.js';
import { DEFAULT_LIMITS, limitsFrom, type Limits } from './limits.js';
import { loadYamlFile, positionOfPath, type YamlFile } from './yaml-file.js';

export const CONFIG_FILE = 'dac.config.yaml';
export const CONTENTCTL_FILE = 'contentctl.yml';

export type RuleSetting = 'error' | 'warning' | 'off';

export interface AppConfig {
  /** Splunk app id (directory name of the app), e.g. `DA-ESS-ContentUpdate`. */
  appid: string;
  title: string;
  /** Stanza label, e.g. `ESCU` → `[ESCU - <name> - Rule]`. */
  label: string;
  prefix: string;
  /** Resolved app version (from `version`, or from the `version_from` package.json). */
  version: string;
  description: string;
  uid?: number;
  author_name?: string;
  author_email?: string;
  author_company?: string;
}

export interface DacConfig {
  app: AppConfig;
  /** Per-rule severity overrides: rule id → error | warning | off. */
  rules: Record<string, RuleSetting>;
  /** Where the config came from: `dac.config.yaml`, `contentctl.yml`, or `default`. */
  source: string;
  /** Path (relative to the content root) of the package.json that carries the app version, if any. */
  versionFrom?: string;
  /** The parsed config file, for positioned diagnostics about it. */
  file?: YamlFile;
  /** Where `dac test` finds attack data besides test/attack_data/ (`test:` in dac.config.yaml). */
  test?: TestDataConfig;
  /** Bounds on work (`limits:` in dac.config.yaml); absent means DEFAULT_LIMITS (./limits.ts). */
  limits?: Limits;
}

export interface TestDataConfig {
  /**
   * Absolute path of a local splunk/attack_data clone: `test.attack_data` of dac.config.yaml
   * (relative to the content root, `~/` for the home folder), or the attack_data entry of an ESCU
   * contentctl.yml's `test_data_caches` (`base_directory_name`, relative to the content root).
   */
  attackData?: string;
  /** Base URL of an attack_data mirror for `dac test --download` (`test.download_from`). */
  downloadFrom?: string;
}

const DEFAULT_APP: AppConfig = {
  appid: 'DA-ESS-ContentUpdate',
  title: 'ES Content Updates',
  label: 'ESCU',
  prefix: 'ESCU',
  version: '0.0.0',
  description: 'Detections built with dac.',
};

/**
 * The content root that holds `start`: the nearest folder, `start` itself or one above it, with a
 * `dac.config.yaml` or an ESCU `contentctl.yml` (as git finds `.git`). Undefined when there is none
 * up to the file-system root.
 */
export function findContentRoot(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, CONFIG_FILE)) || existsSync(join(dir, CONTENTCTL_FILE))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * A rule's severity as `rules:` of dac.config.yaml sets it: `off` drops the diagnostic, `error` or
 * `warning` replaces its severity. Every stage that reports rule diagnostics (validate, compile, …)
 * applies it to what it prints, so one setting means the same in every command.
 */
export function applyRuleSettings<D extends Diagnostic>(diagnostics: readonly D[], rules: DacConfig['rules']): D[] {
  const out: D[] = [];
  for (const d of diagnostics) {
    const s = Object.hasOwn(rules, d.rule) ? rules[d.rule] : undefined;
    if (s === 'off') continue;
    out.push(s && s !== d.severity ? { ...d, severity: s } : d);
  }
  return out;
}

/**
 * Loads the content root's configuration: `dac.config.yaml`, else the `app:` block of an ESCU
 * `contentctl.yml` (so an ESCU checkout works unchanged), else defaults.
 * Shape errors are reported by the validator against `schemas/config.schema.json`; this function
 * only resolves values and reports what stops it from resolving them.
 */
export function loadConfig(root: string): { config: DacConfig; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const dacPath = join(root, CONFIG_FILE);
  const ctlPath = join(root, CONTENTCTL_FILE);
  const path = existsSync(dacPath) ? dacPath : existsSync(ctlPath) ? ctlPath : undefined;
  if (!path)
    return {
      config: { app: { ...DEFAULT_APP }, rules: {}, source: 'default', test: {}, limits: { ...DEFAULT_LIMITS } },
      diagnostics,
    };
  const file = loadYamlFile(path, root);
  diagnostics.push(...file.diagnostics);
  const raw = (isObject(file.value) ? file.value : {}) as Record<string, unknown>;
  const app = (isObject(raw.app) ? raw.app : {}) as Record<string, unknown>;
  const str = (v: unknown, d: string) =>
    typeof v === 'string' && v.length > 0 ? v : v != null && typeof v !== 'object' ? String(v) : d;
  const config: DacConfig = {
    app: {
      appid: str(app.appid, DEFAULT_APP.appid),
      title: str(app.title, DEFAULT_APP.title),
      label: str(app.label, str(app.prefix, DEFAULT_APP.label)),
      prefix: str(app.prefix, str(app.label, DEFAULT_APP.prefix)),
      version: str(app.version, DEFAULT_APP.version),
      description: str(app.description, DEFAULT_APP.description),
      uid: typeof app.uid === 'number' ? app.uid : undefined,
      author_name: typeof app.author_name === 'string' ? app.author_name : undefined,
      author_email: typeof app.author_email === 'string' ? app.author_email : undefined,
      author_company: typeof app.author_company === 'string' ? app.author_company : undefined,
    },
    rules: {},
    source: path === dacPath ? CONFIG_FILE : CONTENTCTL_FILE,
    file,
    limits: limitsFrom(path === dacPath ? raw.limits : undefined),
  };
  const dir = (p: string) => (p.startsWith('~/') ? join(homedir(), p.slice(2)) : isAbsolute(p) ? p : resolve(root, p));
  const test: TestDataConfig = {};
  config.test = test;
  if (path === dacPath && isObject(raw.test)) {
    if (typeof raw.test.attack_data === 'string' && raw.test.attack_data) test.attackData = dir(raw.test.attack_data);
    if (typeof raw.test.download_from === 'string' && raw.test.download_from)
      test.downloadFrom = raw.test.download_from;
  }
  // contentctl 5's `test_data_caches: [{base_url, base_directory_name}]`: the attack_data one is a clone.
  if (path === ctlPath && Array.isArray(raw.test_data_caches)) {
    for (const c of raw.test_data_caches) {
      if (!isObject(c) || typeof c.base_url !== 'string' || typeof c.base_directory_name !== 'string') continue;
      if (!/\/splunk\/attack_data\/master\/?$/i.test(c.base_url)) continue;
      test.attackData = dir(c.base_directory_name);
      break;
    }
  }
  if (path === dacPath) {
    if (isObject(raw.rules)) {
      for (const [k, v] of Object.entries(raw.rules))
        if (v === 'error' || v === 'warning' || v === 'off') config.rules[k] = v;
    }
    const versionFrom = app.version_from;
    if (typeof versionFrom === 'string') {
      config.versionFrom = versionFrom;
      try {
        // Inside the content root only (@dac/fs): `../../outside.json` or a link out is refused.
        const pkg = JSON.parse(readConfinedFile(root, versionFrom, { maxBytes: 1 << 20 }).toString('utf8')) as {
          version?: unknown;
        };
        if (typeof pkg.version === 'string') config.app.version = pkg.version;
        else throw new Error('it has no "version" string');
      } catch (e) {
        diagnostics.push({
          file: file.relPath,
          ...positionOfPath(file, ['app', 'version_from']),
          severity: 'error',
          rule: 'config',
          message: `cannot read the app version from ${versionFrom}: ${(e as Error).message}`,
        });
      }
    }
  }
  return { config, diagnostics };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
