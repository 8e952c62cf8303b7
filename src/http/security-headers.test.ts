import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase } from '../../test/support/database.ts';
import { buildApp } from './app.ts';

const database = connectTestDatabase();
let app: FastifyInstance;

beforeAll(async () => {
  app = await buildApp({ database, config: { secureCookies: false } });
});
afterAll(async () => {
  await app.close();
  await database.close();
});

describe('security headers', () => {
  it('sends a Content-Security-Policy, frame-ancestors none, nosniff and a referrer policy on the API, the docs and the console', async () => {
    for (const url of ['/api/v1/auth/me', '/docs/static/index.html', '/', '/w/demo/customers']) {
      const response = await app.inject({ method: 'GET', url });
      const csp = String(response.headers['content-security-policy']);
      expect(csp, url).toContain("default-src 'self'");
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).toContain("object-src 'none'");
      expect(csp, url).not.toContain('upgrade-insecure-requests');
      expect(response.headers['x-frame-options'], url).toBe('DENY');
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      expect(response.headers['referrer-policy'], url).toBe('no-referrer');
    }
  });

  it('keeps them on errors', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/nowhere' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(String(response.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  });
});
