import { join } from 'node:path';
import { isInside, realRoot, userCacheDir } from '@dac/fs';

/**
 * Where compiled matchers are cached: `<user cache>/matchers` (`$DAC_CACHE_DIR`,
 * `$XDG_CACHE_HOME/dac` or `~/.cache/dac`; never in the content tree, which a pull request
 * controls). A cache folder that resolves inside the content root is not used (undefined: the
 * in-process cache only), so pointing DAC_CACHE_DIR into the checkout cannot bring planted entries in.
 */
export function matcherCacheDir(contentRoot: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = join(userCacheDir(env), 'matchers');
  return isInside(realRoot(contentRoot), realRoot(dir)) ? undefined : dir;
}
