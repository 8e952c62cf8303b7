import { afterAll, describe, expect, it } from 'vitest';
import { connectTestDatabase } from '../../test/support/database.ts';
import { withTransaction } from './transaction.ts';
import { databaseUnavailable } from './unavailable.ts';

const database = connectTestDatabase();
afterAll(() => database.close());

/** What PostgreSQL throws when it cancels one of two deadlocked transactions. */
function deadlock(): Error {
  return Object.assign(new Error('deadlock detected'), { code: '40P01' });
}

describe('withTransaction', () => {
  it('runs the work again after a deadlock or serialisation failure, up to `retries` times', async () => {
    let attempts = 0;
    const result = await withTransaction(
      database.pool,
      async (client) => {
        attempts++;
        await client.query('select 1');
        if (attempts < 3) throw deadlock();
        return 'stored';
      },
      { retries: 3 },
    );
    expect({ result, attempts }).toEqual({ result: 'stored', attempts: 3 });
  });

  it('gives up after the retries, with an error the HTTP edge answers 503, and never retries other errors', async () => {
    let attempts = 0;
    const failure = await withTransaction(
      database.pool,
      async () => {
        attempts++;
        throw deadlock();
      },
      { retries: 2 },
    ).catch((error: unknown) => error);
    expect(attempts).toBe(3);
    expect(databaseUnavailable(failure)?.message).toMatch(/conflicted with concurrent writes/);

    attempts = 0;
    await expect(
      withTransaction(
        database.pool,
        async () => {
          attempts++;
          throw new Error('invalid');
        },
        { retries: 2 },
      ),
    ).rejects.toThrow('invalid');
    expect(attempts).toBe(1);
  });
});
