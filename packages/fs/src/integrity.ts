/**
 * dac's integrity key: 32 random bytes in the user's state folder (never in a content tree, never
 * in the cache), created once with mode 0600. Cache entries and output markers carry an
 * HMAC-SHA256 under it, so a file a content tree, a pull request or a restored CI cache planted
 * (without the key) never verifies: dac then regenerates instead of trusting it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, userStateDir } from './dirs.js';

const keys = new Map<string, Buffer>();

/** The key of this state folder (created on first use; a concurrent creator's key wins). */
export function integrityKey(stateDir: string = userStateDir()): Buffer {
  let key = keys.get(stateDir);
  if (key) return key;
  const path = join(stateDir, 'integrity.key');
  try {
    key = readFileSync(path);
  } catch {
    ensureDir(stateDir, 0o700);
    const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, randomBytes(32));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, path); // fails if another process made the key first: then use theirs
    } catch {
      // keep the existing key
    } finally {
      unlinkSync(tmp);
    }
    key = readFileSync(path);
  }
  if (key.length < 32) throw new Error(`dac's integrity key ${path} is damaged; delete it`);
  keys.set(stateDir, key);
  return key;
}

/** HMAC-SHA256 (hex) of the parts, joined by NUL, under the integrity key. */
export function seal(parts: readonly string[], stateDir?: string): string {
  const h = createHmac('sha256', integrityKey(stateDir));
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

/** Whether `mac` is the seal of the parts (constant-time comparison). */
export function verifySeal(parts: readonly string[], mac: unknown, stateDir?: string): boolean {
  if (typeof mac !== 'string' || !/^[0-9a-f]{64}$/.test(mac)) return false;
  const want = Buffer.from(seal(parts, stateDir), 'hex');
  return timingSafeEqual(want, Buffer.from(mac, 'hex'));
}
