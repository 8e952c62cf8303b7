import type pg from 'pg';

/**
 * Runs `work` in a transaction on one pooled client: commit on success, rollback on any error.
 * `isolation: 'repeatable read'` makes every statement of `work` see one snapshot of the data.
 */
export async function withTransaction<T>(
  pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, options: { isolation?: 'read committed' | 'repeatable read' } = {},
): Promise<T> {
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
