import { describe, expect, it } from 'vitest';
import { readConfig } from './config.ts';

describe('readConfig', () => {
  it('reads the statement timeout and the request deadline, with defaults of 30 s and 60 s', () => {
    expect(readConfig({})).toMatchObject({ statementTimeoutMs: 30_000, requestTimeoutMs: 60_000 });
    expect(readConfig({ KIZUNA_STATEMENT_TIMEOUT_MS: '1500', KIZUNA_REQUEST_TIMEOUT_MS: '0' })).toMatchObject({
      statementTimeoutMs: 1500,
      requestTimeoutMs: 0,
    });
    expect(() => readConfig({ KIZUNA_REQUEST_TIMEOUT_MS: '1.5s' })).toThrow(/KIZUNA_REQUEST_TIMEOUT_MS must be a non-negative integer/);
  });
});
