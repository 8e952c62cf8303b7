import type pg from 'pg';

export interface TransactionOptions {
  isolation?: 'read committed' | 'repeatable read';
  /**
   * How many times to run `work` again when PostgreSQL aborts the transaction for a
   * serialisation failure (40001) or a deadlock (40P01): both mean "run it again", and the
   * transaction left nothing behind. Only for work whose effects are all in the transaction.
   */
  retries?: number;
}

/** SQLSTATEs that abort a transaction only because of concurrent ones: retrying is safe. */
const RETRYABLE = new Set(['40001', '40P01']);

export function isRetryableConflict(error: unknown): boolean {
  return typeof error === 'object' && error !== null && RETRYABLE.has((error as { code?: unknown }).code as string);
}

/**
 * Runs `work` in a transaction on one pooled client: commit on success, rollback on any error.
 * `isolation: 'repeatable read'` makes every statement of `work` see one snapshot of the data.
 */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await runTransaction(pool, work, options);
    } catch (error) {
      if (attempt >= (options.retries ?? 0) || !isRetryableConflict(error)) throw error;
    }
  }
}

async function runTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, options: TransactionOptions): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(`begin isolation level ${options.isolation ?? 'read committed'}`);
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
