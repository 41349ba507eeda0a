import { isScalar } from 'yaml';
import {
  nodeAt,
  positionInScalar,
  positionOfPath,
  type ContentKind,
  type ContentModel,
  type PathSegment,
  type Position,
  type YamlFile,
} from '@dac/content';
import { loadAttack } from './attack.js';
import type { SearchAnalysis } from './search.js';
import type { FileContext, SharedSettings, Where } from './types.js';

export interface ContextOptions {
  kind: ContentKind;
  file: YamlFile;
  document: ContentModel;
  settings: SharedSettings;
  /** JSON paths (joined with \0) where the schema failed. */
  schemaErrorPaths: Set<string>;
  /** Builds the search analysis; called at most once, on first use. */
  analyzeSearch?: (ctx: FileContext) => SearchAnalysis | undefined;
}

/** A per-file rule context whose expensive parts (search analysis) are computed once, on demand. */
export function createFileContext(o: ContextOptions): FileContext {
  let search: SearchAnalysis | undefined;
  let searchDone = false;
  const ctx: FileContext = {
    kind: o.kind,
    file: o.file,
    document: o.document,
    detection: o.document.kind === 'detection' ? o.document : undefined,
    lookup: o.document.kind === 'lookup' ? o.document : undefined,
    settings: o.settings,
    attack: loadAttack,
    pos: (at, which = 'value') => positionOfPath(o.file, pathOf(at), which),
    posInValue(at: Where, offset: number): Position {
      const path = pathOf(at);
      const { node } = nodeAt(o.file, path);
      if (isScalar(node)) return positionInScalar(o.file, node, offset);
      return positionOfPath(o.file, path, 'value');
    },
    search() {
      if (!searchDone) {
        searchDone = true;
        search = o.analyzeSearch?.(ctx);
      }
      return search;
    },
    schemaFailed(at) {
      if (o.schemaErrorPaths.size === 0) return false;
      const path = pathOf(at);
      // A schema error at the path itself or at any ancestor (e.g. `tags` is not a mapping).
      for (let n = path.length; n >= 0; n--) if (o.schemaErrorPaths.has(path.slice(0, n).join('\0'))) return true;
      return false;
    },
  };
  return ctx;
}

function pathOf(at: Where): readonly PathSegment[] {
  return Array.isArray(at) ? at : (at as { path: readonly PathSegment[] }).path;
}
