import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The instance's secret (it signs unsubscribe links): KIZUNA_SECRET when set, else a random
 * 256-bit secret kept in `<dataDir>/secret` (created on first use, mode 0600), so links sent
 * before a restart still work after it. A cluster of servers must share it: set KIZUNA_SECRET.
 * Changing it invalidates every link already sent.
 */
export function instanceSecret(params: { secret: string | undefined; dataDir: string }): string {
  if (params.secret !== undefined) return params.secret;
  const file = path.join(params.dataDir, 'secret');
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 32) return kept;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(params.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  try {
    // 'wx': a second process starting at the same moment keeps the first one's secret.
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readFileSync(file, 'utf8').trim();
  }
}
