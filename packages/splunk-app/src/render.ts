/**
 * Renders the Splunk app for a content tree, in memory: relative path → bytes, sorted by path.
 * The layout follows what contentctl 4.x builds for ESCU (escu-app-format.md §4.1–4.10).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { constants as bufferConstants } from 'node:buffer';
import { FsRefusal, readConfinedFile } from '@dac/fs';
import { assetPath } from '@dac/assets';
import { DEFAULT_LIMITS, howToRaise, type ContentTree, type Diagnostic } from '@dac/content';
import { ConfValueError, parseConf } from '@dac/conf';
import { loadTemplates } from './templates.js';
import { buildAppView, type AppView, type ViewOptions } from './view-model.js';

/** The largest file Node reads into one Buffer (2 GiB − 1 on 64-bit Node 20). */
const MAX_BUFFER_BYTES = Math.min(bufferConstants.MAX_LENGTH, 2 ** 31 - 1);

/** contentctl's rule for `app.appid` (escu-app-format.md §3.5); it also keeps paths inside dist/. */
export const APPID_RE = /^[a-zA-Z0-9_-]+$/;
/** Versions become file names (`<appid>-<version>.tar.gz`): semver characters only. */
export const VERSION_RE = /^[0-9A-Za-z][0-9A-Za-z.+-]*$/;

export interface RenderOptions extends ViewOptions {
  /** Folder of the Handlebars templates; default: dac's own (@dac/assets `templates`). */
  templatesDir?: string;
  /** The `mitre_enrichment.csv` shipped in `lookups/`; default: dac's own copy (@dac/assets `attack`). */
  mitreEnrichmentFile?: string;
}

export interface RenderResult {
  /** App-relative path (forward slashes, no leading `<appid>/`) → content; iteration order is sorted. */
  files: Map<string, Buffer>;
  diagnostics: Diagnostic[];
  view: AppView;
}

const CONFIG_FILE_FOR_DIAGNOSTICS = (tree: ContentTree) => tree.config.file?.relPath ?? tree.config.source;

/** Renders the app; errors in the returned diagnostics mean the app must not be shipped. */
export function renderApp(tree: ContentTree, options: RenderOptions = {}): RenderResult {
  const templates = loadTemplates(options.templatesDir);
  const { view, diagnostics } = buildAppView(tree, options);
  const app = tree.config.app;
  const configError = (message: string) =>
    diagnostics.push({
      file: CONFIG_FILE_FOR_DIAGNOSTICS(tree),
      line: 1,
      column: 1,
      severity: 'error',
      rule: 'build-config',
      message,
    });
  if (!APPID_RE.test(app.appid)) configError(`app.appid "${app.appid}" may only contain letters, digits, "_" and "-"`);
  if (!VERSION_RE.test(app.version))
    configError(`app version "${app.version}" is not a usable version (semver characters only)`);

  const context = { ...view, checkForUpdates: app.uid === 3449 };
  const out = new Map<string, Buffer>();
  const text = (path: string, s: string) => out.set(path, Buffer.from(s, 'utf8'));
  const conf = (name: string) => {
    try {
      text(`default/${name}`, templates.render(name, context));
    } catch (e) {
      // The view model refuses what the escaping cannot write (with the field's position); this
      // is the last line of defence: never a stack trace, never the character in the file.
      if (!(e instanceof ConfValueError)) throw e;
      configError(`default/${name} cannot be written: ${e.message}`);
    }
  };

  conf('savedsearches.conf');
  conf('analyticstories.conf');
  conf('macros.conf');
  conf('transforms.conf');
  if (view.kvstoreLookups.length) conf('collections.conf');
  conf('app.conf');
  conf('content-version.conf');
  conf('server.conf');
  text('README.md', templates.render('README.md', context));
  text('app.manifest', appManifest(view));
  for (const f of templates.staticFiles) out.set(f.relPath, f.content);

  const mitre = options.mitreEnrichmentFile ?? assetPath('attack');
  if (existsSync(mitre)) out.set('lookups/mitre_enrichment.csv', readFileSync(mitre));
  else configError(`the ATT&CK enrichment lookup ${mitre} is missing`);
  for (const l of view.lookups) {
    if (!l.sourceFile || !l.filename) continue;
    // Through @dac/fs: a lookup that is a link out of the content root (`-> /etc/shadow`) or not
    // a regular file is refused, never packed. Packed in memory with the rest of the app: a file
    // over the limit (at most what one Buffer holds, 2 GiB) is refused with a message instead of
    // Node's ERR_FS_FILE_TOO_LARGE.
    const max = Math.min(tree.config.limits?.lookup_bytes ?? DEFAULT_LIMITS.lookup_bytes, MAX_BUFFER_BYTES);
    try {
      out.set(`lookups/${l.filename}`, readConfinedFile(tree.root, l.sourceFile, { maxBytes: max }));
    } catch (e) {
      if (e instanceof FsRefusal && e.reason === 'too-large')
        configError(
          `lookup file ${l.sourceFile} is ${statSync(join(tree.root, l.sourceFile)).size} bytes; the limit is ${max} bytes (${howToRaise('lookup_bytes')}; at most ${MAX_BUFFER_BYTES})`,
        );
      else
        diagnostics.push({
          file: l.sourceFile,
          line: 1,
          column: 1,
          severity: 'error',
          rule: 'file-access',
          message: e instanceof FsRefusal ? e.message : `cannot read ${l.sourceFile}: ${(e as Error).message}`,
        });
    }
  }

  // Defence in depth: every generated .conf must read back as stanzas and settings only.
  for (const [path, bytes] of out) {
    if (!path.endsWith('.conf') && !path.endsWith('.meta')) continue;
    for (const p of parseConf(bytes.toString('utf8')).problems) {
      diagnostics.push({
        file: `${app.appid}/${path}`,
        line: p.line,
        column: 1,
        severity: 'error',
        rule: 'build-conf-check',
        message: p.message,
      });
    }
  }

  const sorted = new Map([...out].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  return { files: sorted, diagnostics, view };
}

/** `app.manifest` (schema 1.0.0) with the fields contentctl writes, serialised as JSON. */
function appManifest(view: AppView): string {
  const a = view.app;
  const manifest = {
    schemaVersion: '1.0.0',
    info: {
      title: a.title,
      id: { group: null, name: a.appid, version: a.version },
      author: [{ name: a.author_name, email: a.author_email, company: a.author_company }],
      releaseDate: view.releaseDate,
      description: a.description,
      classification: { intendedAudience: null, categories: [], developmentStatus: null },
      commonInformationModels: null,
      license: { name: null, text: null, uri: null },
      privacyPolicy: { name: null, text: null, uri: null },
      releaseNotes: { name: null, text: './README.md', uri: null },
    },
    dependencies: null,
    tasks: null,
    inputGroups: null,
    incompatibleApps: null,
    platformRequirements: null,
    targetWorkloads: ['_search_heads'],
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
