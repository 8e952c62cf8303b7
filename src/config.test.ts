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

describe('email settings of the instance', () => {
  it('takes KIZUNA_PUBLIC_URL, else the public origin, else localhost with the port', () => {
    expect(readConfig({ KIZUNA_PUBLIC_URL: 'https://crm.example.jp/' }).publicUrl).toBe('https://crm.example.jp');
    expect(readConfig({ KIZUNA_PUBLIC_ORIGIN: 'https://console.example.jp' }).publicUrl).toBe('https://console.example.jp');
    expect(readConfig({ PORT: '4000' }).publicUrl).toBe('http://localhost:4000');
    expect(() => readConfig({ KIZUNA_PUBLIC_URL: 'ftp://x' })).toThrow(/KIZUNA_PUBLIC_URL must be an http\(s\) URL/);
  });

  it('refuses a short KIZUNA_SECRET and an SMTP URL of another scheme', () => {
    expect(() => readConfig({ KIZUNA_SECRET: 'short' })).toThrow(/at least 32 characters/);
    expect(readConfig({ KIZUNA_SECRET: 'x'.repeat(32) }).secret).toBe('x'.repeat(32));
    expect(() => readConfig({ KIZUNA_SMTP_URL: 'http://localhost' })).toThrow(/smtp:\/\/ or smtps:\/\//);
    expect(readConfig({ KIZUNA_SMTP_URL: 'smtp://127.0.0.1:1025' }).smtpUrl).toBe('smtp://127.0.0.1:1025');
  });
});
