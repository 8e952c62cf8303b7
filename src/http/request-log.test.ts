import { afterAll, describe, expect, it } from 'vitest';
import { connectTestDatabase } from '../../test/support/database.ts';
import { buildApp } from './app.ts';

const database = connectTestDatabase();
afterAll(() => database.close());

describe('server errors', () => {
  it('are logged as structured lines with the request id that the 500 answer carries, in its header and body', async () => {
    const lines: string[] = [];
    const app = await buildApp({ database, config: { secureCookies: false } }, { logger: { level: 'info', stream: { write: (line) => lines.push(line) } } });
    app.get('/boom', async () => {
      throw new Error('the disk caught fire');
    });
    try {
      const response = await app.inject({ method: 'GET', url: '/boom', headers: { 'x-request-id': 'forged' } });
      expect(response.statusCode).toBe(500);
      const requestId = response.headers['x-request-id'];
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.json()).toEqual({
        code: 'internal_error',
        message: `An unexpected error occurred; it has been logged with the request id ${requestId}.`,
        requestId,
      });
      const logged = lines.map((line) => JSON.parse(line) as { level: number; reqId?: string; msg: string; err?: { message: string; stack: string } });
      const error = logged.find((entry) => entry.msg === 'unhandled error');
      expect(error).toMatchObject({ level: 50, reqId: requestId, err: { message: 'the disk caught fire' } });
      expect(error!.err!.stack).toContain('request-log.test.ts');
    } finally {
      await app.close();
    }
  });

  it('gives every answer an id of its own, never the one a client sends', async () => {
    const app = await buildApp({ database, config: { secureCookies: false } });
    try {
      const first = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { 'x-request-id': 'forged' } });
      const second = await app.inject({ method: 'GET', url: '/api/v1/auth/me' });
      expect(first.statusCode).toBe(401);
      expect(first.headers['x-request-id']).not.toBe('forged');
      expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
    } finally {
      await app.close();
    }
  });
});
