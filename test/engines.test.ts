import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

/**
 * The README promises Node.js 20.19 (package.json `engines`). Every package the lock file installs
 * must run there: cookie 2 (Node ≥ 22, pulled by @fastify/cookie and light-my-request) made
 * `npm install` warn, and nothing stopped the next one from breaking on Node 20. `.npmrc` makes
 * npm refuse such an install outright (engine-strict), so CI's `npm ci` fails on it too.
 */

const root = path.resolve(import.meta.dirname, '..');
const readJson = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8'));

describe('the installed packages run on the oldest Node.js Kizuna supports', () => {
  it('every package in the lock file accepts the minimum Node.js of package.json', () => {
    const oldest = semver.minVersion(readJson('package.json').engines.node)!.version;
    const packages = readJson('package-lock.json').packages as Record<string, { version?: string; engines?: { node?: string } }>;
    const refusing = Object.entries(packages)
      .filter(([, entry]) => entry.engines?.node !== undefined && !semver.satisfies(oldest, entry.engines.node))
      .map(([name, entry]) => `${name}@${entry.version} needs Node ${entry.engines!.node}`);
    expect(oldest).toBe('20.19.0');
    expect(refusing).toEqual([]);
  });

  it('npm refuses an install that needs a newer Node.js (engine-strict)', () => {
    expect(readFileSync(path.join(root, '.npmrc'), 'utf8')).toMatch(/^engine-strict=true$/m);
  });
});
