/**
 * Turns a loaded ContentTree into the plain objects the Handlebars templates render. All
 * derivations (risk, mappings, annotations, metadata, drilldowns, filter macros, lookups) happen
 * here, in TypeScript; the templates only decide layout and key order. JSON-valued keys are kept
 * as values here and serialised by the `json` helper (./py-json.ts).
 *
 * Content that passed validation always maps cleanly. For content that did not, nothing throws:
 * an item that cannot be rendered is left out with a positioned diagnostic.
 */
import {
  detectionStanzaName,
  filterMacroName,
  riskScoreOf,
  positionOfPath,
  type AppConfig,
  type ContentItem,
  type ContentKind,
  type ContentTree,
  type Diagnostic,
  type PathSegment,
} from '@dac/content';
import { confControlProblem, confValueWarning, stanzaNameProblem } from '@dac/conf';
import {
  DEFAULT_DEPLOYMENTS,
  DRILLDOWN_PLACEHOLDER,
  NOTABLE_NES_FIELDS,
  dataModelsOf,
  providingTechnologiesOf,
  publishTimeOf,
  riskEntriesOf,
  type ObservableLike,
} from './escu-rules.js';
import { missingDependencies } from './dependencies.js';
import { PyFloat, comparePyStr, type PyJsonValue } from './py-json.js';

/** Detection types that become correlation-search stanzas, and statuses that are built. */
export const BUILT_TYPES = new Set(['TTP', 'Anomaly', 'Hunting', 'Correlation']);
export const BUILT_STATUSES = new Set(['production', 'experimental', 'deprecated']);

export const FILTER_MACRO_DESCRIPTION = 'Update this macro to limit the output results to filter out false positives.';

export interface DetectionView {
  file: string;
  name: string;
  stanza: string;
  deprecated: boolean;
  experimental: boolean;
  description: string;
  howToImplement: string;
  knownFalsePositives: string;
  date: string;
  search: string;
  assetType: string;
  securityDomain: string;
  mappings: PyJsonValue;
  dataModels: PyJsonValue;
  product: PyJsonValue;
  atomicGuids: PyJsonValue[] | null;
  providingTechnologies: PyJsonValue;
  analyticStories: string[];
  risk: { message: string; objects: PyJsonValue } | null;
  schedule: { cron: string; earliest: string; latest: string; window: string };
  annotations: PyJsonValue;
  metadata: PyJsonValue;
  notable: {
    nesFields: string;
    ruleTitle: string;
    ruleDescription: string;
    securityDomain: string;
    severity: string;
  } | null;
  disabled: boolean;
  suppress: { fields: string; period: string } | null;
  drilldowns: PyJsonValue;
}

export interface StoryView {
  file: string;
  name: string;
  category: string;
  lastUpdated: string;
  version: string;
  references: PyJsonValue;
  maintainers: PyJsonValue;
  searches: PyJsonValue;
  description: string;
  narrative: string | null;
}

export interface MacroView {
  file: string | null;
  /** `name` or `name(N)`. */
  stanza: string;
  args: string | null;
  definition: string;
  description: string;
}

export interface LookupView {
  file: string;
  name: string;
  kind: 'csv' | 'kvstore' | 'mlmodel';
  /** Content-root relative path of the data file to copy into `lookups/` (csv, mlmodel). */
  sourceFile: string | null;
  filename: string | null;
  collection: string | null;
  description: string;
  defaultMatch: string | null;
  caseSensitiveMatch: string | null;
  matchType: string | null;
  maxMatches: string | null;
  minMatches: string | null;
  fieldsList: string | null;
  filter: string | null;
}

export interface AppView {
  app: AppConfig & { author_name: string; author_email: string; author_company: string };
  /** `YYYY-MM-DD`, from the build time or, by default, the newest content date (deterministic). */
  releaseDate: string;
  /** `[install] build`: YYYYMMDDHHMMSS of the build time or of releaseDate at 00:00:00. */
  buildNumber: string;
  /** Header line `# On Date: …` only when a build time was passed in. */
  generatedAt: string | null;
  detections: DetectionView[];
  stories: StoryView[];
  macros: MacroView[];
  lookups: LookupView[];
  kvstoreLookups: LookupView[];
  transformsLookups: LookupView[];
  counts: {
    detections: number;
    byType: { type: string; count: number }[];
    stories: number;
    macros: number;
    lookups: number;
  };
}

export interface ViewOptions {
  /** Build time; absent means a reproducible date derived from the content. */
  buildTime?: Date;
  /** Files (content-root relative) whose items must be left out, e.g. ones that failed validation. */
  exclude?: ReadonlySet<string>;
}

// ---- defensive accessors: unvalidated content must not crash the renderer --------------------

class Invalid extends Error {
  constructor(
    readonly path: PathSegment[],
    message: string,
  ) {
    super(message);
  }
}
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
function str(o: Obj, path: PathSegment[], optional = false): string {
  const v = o[path[path.length - 1] as string];
  if (v === undefined || v === null) {
    if (optional) return '';
    throw new Invalid(path, `\`${path.join('.')}\` is required to build the app`);
  }
  if (typeof v === 'string') {
    // NUL, VT, FF …: refused, never written (@dac/conf confControlProblem says why).
    const control = confControlProblem(v);
    if (control) throw new Invalid(path, `\`${path.join('.')}\` ${control}`);
    return v;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  throw new Invalid(path, `\`${path.join('.')}\` must be a string`);
}
function num(o: Obj, path: PathSegment[]): number {
  const v = o[path[path.length - 1] as string];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw new Invalid(path, `\`${path.join('.')}\` must be a number`);
}
function strList(o: Obj, path: PathSegment[]): string[] {
  const v = o[path[path.length - 1] as string];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Invalid(path, `\`${path.join('.')}\` must be a list`);
  return v.map((x, i) => {
    if (typeof x === 'string') {
      const control = confControlProblem(x);
      if (control) throw new Invalid([...path, i], `\`${path.join('.')}[${i}]\` ${control}`);
      return x;
    }
    if (typeof x === 'number') return String(x);
    throw new Invalid([...path, i], `\`${path.join('.')}[${i}]\` must be a string`);
  });
}
function obj(o: Obj, path: PathSegment[]): Obj {
  const v = o[path[path.length - 1] as string];
  if (isObj(v)) return v;
  throw new Invalid(path, `\`${path.join('.')}\` must be a mapping`);
}
function dateOf(o: Obj, path: PathSegment[]): string {
  const d = str(o, path);
  if (publishTimeOf(d) === undefined) throw new Invalid(path, `\`${path.join('.')}\` must be a date YYYY-MM-DD`);
  return d;
}

function diag(
  item: ContentItem,
  path: PathSegment[],
  severity: 'error' | 'warning',
  rule: string,
  message: string,
): Diagnostic {
  return { file: item.file.relPath, ...positionOfPath(item.file, path), severity, rule, message };
}

/** Warns about free-text values the .conf escaping has to change (CR, trailing backslash, …). */
function checkText(item: ContentItem, path: PathSegment[], value: string, out: Diagnostic[]): void {
  const w = confValueWarning(value);
  if (w) out.push(diag(item, path, 'warning', 'conf-value', `\`${path.join('.')}\` ${w}`));
}

const STATUS_OK = (s: string) => BUILT_STATUSES.has(s);

// ---- detections ------------------------------------------------------------------------------

function detectionView(
  item: ContentItem<'detection'>,
  app: AppConfig,
  diagnostics: Diagnostic[],
): DetectionView | undefined {
  const d = item.data as unknown;
  if (!isObj(d)) {
    diagnostics.push(diag(item, [], 'error', 'build-render', 'a detection must be a YAML mapping'));
    return undefined;
  }
  const type = str(d, ['type']);
  const status = str(d, ['status']);
  if (!BUILT_TYPES.has(type) || !STATUS_OK(status)) {
    diagnostics.push(
      diag(
        item,
        BUILT_TYPES.has(type) ? ['status'] : ['type'],
        'warning',
        'build-skipped',
        `not built: only detections of type ${[...BUILT_TYPES].join('/')} with status ${[...BUILT_STATUSES].join('/')} become saved searches`,
      ),
    );
    return undefined;
  }
  const name = str(d, ['name']);
  const stanza = detectionStanzaName(app.label, name);
  const problem = stanzaNameProblem(stanza);
  if (problem) throw new Invalid(['name'], `the stanza name "${stanza.slice(0, 120)}" is unusable: ${problem}`);
  const description = str(d, ['description']);
  const howToImplement = str(d, ['how_to_implement'], true);
  const knownFalsePositives = str(d, ['known_false_positives'], true);
  const search = str(d, ['search']);
  const date = dateOf(d, ['date']);
  const tags = obj(d, ['tags']);
  const securityDomain = str(tags, ['tags', 'security_domain']);
  const mitre = strList(tags, ['tags', 'mitre_attack_id']);
  const stories = strList(tags, ['tags', 'analytic_story']);
  const cve = strList(tags, ['tags', 'cve']);
  const product = strList(tags, ['tags', 'product']);
  const atomic = strList(tags, ['tags', 'atomic_guid']);
  const confidence = num(tags, ['tags', 'confidence']);
  const impact = num(tags, ['tags', 'impact']);
  const score = riskScoreOf(confidence, impact);
  const deployment = DEFAULT_DEPLOYMENTS[type]!;

  for (const [path, v] of [
    [['name'], name],
    [['description'], description],
    [['how_to_implement'], howToImplement],
    [['known_false_positives'], knownFalsePositives],
    [['search'], search],
  ] as [PathSegment[], string][])
    checkText(item, path, v, diagnostics);

  const cis20 = securityDomain === 'network' ? ['CIS 13'] : ['CIS 10'];
  const nist = type === 'TTP' ? ['DE.CM'] : ['DE.AE'];
  // contentctl builds mappings in this key order; tojson sorts them anyway.
  const mappings: Record<string, PyJsonValue> = { cis20 };
  if (mitre.length) mappings.mitre_attack = mitre;
  mappings.nist = nist;
  const annotations: Record<string, PyJsonValue> = { analytic_story: stories, confidence, impact, ...mappings };
  if (cve.length) annotations.cve = cve;

  let risk: DetectionView['risk'] = null;
  if (deployment.rba) {
    const message = str(tags, ['tags', 'message']);
    checkText(item, ['tags', 'message'], message, diagnostics);
    const rawObs = tags.observable;
    if (!Array.isArray(rawObs)) throw new Invalid(['tags', 'observable'], '`tags.observable` must be a list');
    const observables: ObservableLike[] = rawObs.map((o, i) => {
      if (!isObj(o)) throw new Invalid(['tags', 'observable', i], 'an observable must be a mapping');
      const p: PathSegment[] = ['tags', 'observable', i];
      return { name: str(o, [...p, 'name']), type: str(o, [...p, 'type']), role: strList(o, [...p, 'role']) };
    });
    risk = { message, objects: riskEntriesOf(observables, score) };
  }

  const rawDrill = d.drilldown_searches;
  const drilldowns: PyJsonValue[] = [];
  if (rawDrill !== undefined && rawDrill !== null) {
    if (!Array.isArray(rawDrill)) throw new Invalid(['drilldown_searches'], '`drilldown_searches` must be a list');
    rawDrill.forEach((x, i) => {
      if (!isObj(x)) throw new Invalid(['drilldown_searches', i], 'a drilldown must be a mapping');
      const p: PathSegment[] = ['drilldown_searches', i];
      const entry: Record<string, PyJsonValue> = {
        name: str(x, [...p, 'name']),
        // Function replacement: `$&`-style patterns in the search must not be interpreted.
        search: str(x, [...p, 'search'])
          .split(DRILLDOWN_PLACEHOLDER)
          .join(search),
      };
      const eo = x.earliest_offset;
      const lo = x.latest_offset;
      if (eo !== undefined && eo !== null) entry.earliest_offset = str(x, [...p, 'earliest_offset']);
      if (lo !== undefined && lo !== null) entry.latest_offset = str(x, [...p, 'latest_offset']);
      drilldowns.push(entry);
    });
  }

  let suppress: DetectionView['suppress'] = null;
  if (isObj(tags.throttling)) {
    const t = tags.throttling;
    suppress = {
      fields: strList(t, ['tags', 'throttling', 'fields']).join(','),
      period: str(t, ['tags', 'throttling', 'period']),
    };
  }

  return {
    file: item.file.relPath,
    name,
    stanza,
    deprecated: status === 'deprecated',
    experimental: status === 'experimental',
    description,
    // contentctl: `{% if detection.how_to_implement %}` … `{% else %}none` (and `None` for false positives).
    howToImplement: howToImplement !== '' ? howToImplement : 'none',
    knownFalsePositives: knownFalsePositives !== '' ? knownFalsePositives : 'None',
    date,
    search,
    assetType: str(tags, ['tags', 'asset_type'], true),
    securityDomain,
    mappings,
    dataModels: dataModelsOf(search),
    product,
    atomicGuids: atomic.length ? atomic : null,
    providingTechnologies: providingTechnologiesOf(search),
    analyticStories: stories,
    risk,
    schedule: {
      cron: deployment.cron_schedule,
      earliest: deployment.earliest_time,
      latest: deployment.latest_time,
      window: deployment.schedule_window,
    },
    annotations,
    metadata: {
      deprecated: status === 'deprecated' ? '1' : '0',
      detection_id: str(d, ['id']),
      detection_version: String(num(d, ['version'])),
      publish_time: new PyFloat(publishTimeOf(date)!),
    },
    notable: deployment.notable
      ? {
          nesFields: NOTABLE_NES_FIELDS.join(','),
          ruleTitle: type === 'Correlation' ? `RBA: ${name}` : name,
          ruleDescription: description,
          securityDomain,
          severity: 'high',
        }
      : null,
    disabled: d.enabled_by_default !== true,
    suppress,
    drilldowns,
  };
}

// ---- stories, macros, lookups -----------------------------------------------------------------

function storyView(
  item: ContentItem<'story'>,
  searchesByStory: Map<string, string[]>,
  diagnostics: Diagnostic[],
): StoryView {
  const s = item.data as unknown;
  if (!isObj(s)) throw new Invalid([], 'a story must be a YAML mapping');
  const name = str(s, ['name']);
  if (stanzaNameProblem(`analytic_story://${name}`))
    throw new Invalid(
      ['name'],
      `the story name cannot be a stanza name: ${stanzaNameProblem(`analytic_story://${name}`)}`,
    );
  const tags = obj(s, ['tags']);
  const author = str(s, ['author'], true);
  const comma = author.indexOf(',');
  const maintainer =
    comma >= 0
      ? { company: author.slice(comma + 1).trim(), email: '-', name: author.slice(0, comma).trim() }
      : { company: '-', email: '-', name: author.trim() };
  const description = str(s, ['description']);
  const narrative = s.narrative === undefined || s.narrative === null ? null : str(s, ['narrative']);
  checkText(item, ['description'], description, diagnostics);
  if (narrative !== null) checkText(item, ['narrative'], narrative, diagnostics);
  return {
    file: item.file.relPath,
    name,
    category: strList(tags, ['tags', 'category'])[0] ?? 'Uncategorized',
    lastUpdated: dateOf(s, ['date']),
    version: String(num(s, ['version'])),
    references: strList(s, ['references']),
    maintainers: [maintainer],
    searches: searchesByStory.get(name) ?? [],
    description,
    narrative,
  };
}

const MACRO_ARG_RE = /^[A-Za-z0-9_-]+$/;

function macroView(item: ContentItem<'macro'>, diagnostics: Diagnostic[]): MacroView {
  const m = item.data as unknown;
  if (!isObj(m)) throw new Invalid([], 'a macro must be a YAML mapping');
  const name = str(m, ['name']);
  const args = strList(m, ['arguments']);
  args.forEach((a, i) => {
    // macros.conf.spec: args accept only alphanumerics, `_` and `-`.
    if (!MACRO_ARG_RE.test(a))
      throw new Invalid(
        ['arguments', i],
        `macro argument "${a.slice(0, 60)}" may only contain letters, digits, "_" and "-"`,
      );
  });
  const stanza = args.length ? `${name}(${args.length})` : name;
  const problem = stanzaNameProblem(stanza);
  if (problem) throw new Invalid(['name'], `the macro name cannot be a stanza name: ${problem}`);
  const definition = str(m, ['definition']);
  const description = str(m, ['description'], true);
  checkText(item, ['definition'], definition, diagnostics);
  checkText(item, ['description'], description, diagnostics);
  return { file: item.file.relPath, stanza, args: args.length ? args.join(', ') : null, definition, description };
}

function lowerFlag(o: Obj, key: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  return String(v).toLowerCase();
}
function optText(o: Obj, key: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new Invalid([key], `\`${key}\` must be a scalar`);
}

function lookupView(item: ContentItem<'lookup'>, lookupFiles: ReadonlySet<string>): LookupView {
  const l = item.data as unknown;
  if (!isObj(l)) throw new Invalid([], 'a lookup must be a YAML mapping');
  const name = str(l, ['name']);
  const problem = stanzaNameProblem(name);
  if (problem) throw new Invalid(['name'], `the lookup name cannot be a stanza name: ${problem}`);
  const filename = optText(l, 'filename');
  const collection = optText(l, 'collection');
  let kind: LookupView['kind'];
  let sourceFile: string | null = null;
  if (filename !== null) {
    // v4 lookups name a file beside the YAML (escu-app-format.md §3.5); the app ships it under lookups/.
    if (!/^[A-Za-z0-9_.\- ]+$/.test(filename) || filename.startsWith('.')) {
      throw new Invalid(
        ['filename'],
        `lookup filename "${filename.slice(0, 80)}" must be a plain file name (letters, digits, "_", "-", ".", space)`,
      );
    }
    const dir = item.file.relPath.slice(0, item.file.relPath.lastIndexOf('/') + 1);
    sourceFile = `${dir}${filename}`;
    if (!lookupFiles.has(sourceFile)) throw new Invalid(['filename'], `lookup file ${sourceFile} does not exist`);
    kind = filename.endsWith('.mlmodel') ? 'mlmodel' : 'csv';
  } else if (collection !== null) {
    kind = 'kvstore';
    if (stanzaNameProblem(collection))
      throw new Invalid(
        ['collection'],
        `the collection name cannot be a stanza name: ${stanzaNameProblem(collection)}`,
      );
  } else {
    throw new Invalid([], 'a lookup needs `filename` (csv/mlmodel) or `collection` (kvstore)');
  }
  return {
    file: item.file.relPath,
    name,
    kind,
    sourceFile,
    filename,
    collection,
    description: str(l, ['description'], true),
    defaultMatch: lowerFlag(l, 'default_match'),
    caseSensitiveMatch: lowerFlag(l, 'case_sensitive_match'),
    matchType: optText(l, 'match_type'),
    maxMatches: optText(l, 'max_matches'),
    minMatches: optText(l, 'min_matches'),
    fieldsList: optText(l, 'fields_list'),
    filter: optText(l, 'filter'),
  };
}

// ---- the whole app -----------------------------------------------------------------------------

function guarded<T>(item: ContentItem, diagnostics: Diagnostic[], f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof Invalid) {
      diagnostics.push(diag(item, e.path, 'error', 'build-render', e.message));
      return undefined;
    }
    throw e;
  }
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** Builds the template input for a content tree; never throws for bad content. */
export function buildAppView(
  tree: ContentTree,
  options: ViewOptions = {},
): { view: AppView; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const excluded = options.exclude ?? new Set<string>();
  const keep = <K extends ContentKind>(items: ContentItem<K>[]) => items.filter((i) => !excluded.has(i.file.relPath));
  const app = tree.config.app;

  // Macros, lookups and stories first: a detection needing one the build leaves out is left out
  // too (./dependencies.ts), so the app never ships a search calling what it does not define.
  // Their diagnostics still come after the detections' and stories' (the order readers expect).
  const later: Diagnostic[] = [];
  const macros: MacroView[] = [];
  const macroStanzas = new Set<string>();
  for (const item of keep(tree.macros)) {
    const v = guarded(item, later, () => macroView(item, later));
    if (!v) continue;
    if (macroStanzas.has(v.stanza)) {
      later.push(
        diag(
          item,
          ['name'],
          'error',
          'build-duplicate',
          `the macro stanza [${v.stanza}] is already defined; this one is left out`,
        ),
      );
      continue;
    }
    macroStanzas.add(v.stanza);
    macros.push(v);
  }
  const lookupFiles = new Set(tree.lookupFiles);
  const lookups: LookupView[] = [];
  const lookupNames = new Set<string>();
  for (const item of keep(tree.lookups)) {
    const v = guarded(item, later, () => lookupView(item, lookupFiles));
    if (!v) continue;
    if (lookupNames.has(v.name) || v.name === 'mitre_enrichment') {
      later.push(
        diag(
          item,
          ['name'],
          'error',
          'build-duplicate',
          `a lookup named "${v.name}" is already built; this one is left out`,
        ),
      );
      continue;
    }
    lookupNames.add(v.name);
    lookups.push(v);
  }

  const storyNamesShipped = new Set<string>();
  for (const item of keep(tree.stories)) {
    const v = guarded(item, [], () => storyView(item, new Map(), []));
    if (v) storyNamesShipped.add(v.name);
  }
  const missing = missingDependencies(tree, keep(tree.detections), {
    macros: macroStanzas,
    lookups: new Set(lookups.flatMap((l) => (l.filename ? [l.name, l.filename] : [l.name]))),
    stories: storyNamesShipped,
  });

  const detections: DetectionView[] = [];
  const stanzas = new Map<string, string>();
  for (const item of keep(tree.detections)) {
    const why = missing.get(item.file.relPath);
    if (why !== undefined) {
      diagnostics.push(diag(item, ['search'], 'warning', 'build-dependency', `left out of the app: ${why}`));
      continue;
    }
    const v = guarded(item, diagnostics, () => detectionView(item, app, diagnostics));
    if (!v) continue;
    const prev = stanzas.get(v.stanza);
    if (prev !== undefined) {
      diagnostics.push(
        diag(
          item,
          ['name'],
          'error',
          'build-duplicate',
          `the stanza [${v.stanza}] is already produced by ${prev}; this detection is left out`,
        ),
      );
      continue;
    }
    stanzas.set(v.stanza, v.file);
    detections.push(v);
  }

  const searchesByStory = new Map<string, string[]>();
  for (const d of detections) {
    for (const s of d.analyticStories) {
      let list = searchesByStory.get(s);
      if (!list) searchesByStory.set(s, (list = []));
      if (!list.includes(d.stanza)) list.push(d.stanza);
    }
  }
  const stories: StoryView[] = [];
  const storyNames = new Set<string>();
  for (const item of keep(tree.stories)) {
    const v = guarded(item, diagnostics, () => storyView(item, searchesByStory, diagnostics));
    if (!v) continue;
    if (storyNames.has(v.name)) {
      diagnostics.push(
        diag(
          item,
          ['name'],
          'error',
          'build-duplicate',
          `a story named "${v.name}" is already built; this one is left out`,
        ),
      );
      continue;
    }
    storyNames.add(v.name);
    stories.push(v);
  }

  // contentctl creates `<snake_name>_filter` as `search *` for every detection whose filter macro
  // has no file (escu-app-format.md §3.3 rule 1, §4.7), after the macros read from files.
  for (const d of detections) {
    const name = filterMacroName(d.name);
    if (macroStanzas.has(name)) continue;
    macroStanzas.add(name);
    macros.push({
      file: null,
      stanza: name,
      args: null,
      definition: 'search *',
      description: FILTER_MACRO_DESCRIPTION,
    });
  }

  let releaseDate: string;
  let buildNumber: string;
  let generatedAt: string | null = null;
  if (options.buildTime) {
    const t = options.buildTime;
    releaseDate = `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
    buildNumber = `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}`;
    generatedAt = t
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, '');
  } else {
    // Reproducible: the newest date among built detections and stories.
    let newest = '1970-01-01';
    for (const x of [...detections.map((d) => d.date), ...stories.map((s) => s.lastUpdated)])
      if (x > newest) newest = x;
    releaseDate = newest;
    buildNumber = `${newest.replace(/-/g, '')}000000`;
  }

  const builtFiles = new Set(detections.map((d) => d.file));
  const byType = new Map<string, number>();
  for (const d of tree.detections) {
    if (!builtFiles.has(d.file.relPath)) continue;
    const t = String((d.data as unknown as Obj).type);
    byType.set(t, (byType.get(t) ?? 0) + 1);
  }

  const view: AppView = {
    app: {
      ...app,
      author_name: app.author_name ?? app.author_company ?? '-',
      author_email: app.author_email ?? '-',
      author_company: app.author_company ?? app.author_name ?? '-',
    },
    releaseDate,
    buildNumber,
    generatedAt,
    detections,
    stories,
    macros,
    lookups,
    kvstoreLookups: lookups.filter((l) => l.kind === 'kvstore'),
    transformsLookups: lookups.filter((l) => l.kind !== 'mlmodel'),
    counts: {
      detections: detections.length,
      byType: [...byType].sort((a, b) => comparePyStr(a[0], b[0])).map(([type, count]) => ({ type, count })),
      stories: stories.length,
      macros: macros.length,
      lookups: lookups.length,
    },
  };
  diagnostics.push(...later);
  return { view, diagnostics };
}
