import { setImmediate as nextTurn } from 'node:timers/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/**
 * Streams the bytes of a `copy (…) to stdout` into `consume`, chunk by chunk.
 *
 * When `consume` throws (data the engine cannot hold, a parse error), the rest of the COPY is
 * still read, and dropped, before the error is passed on. A COPY abandoned half-read leaves its
 * connection in COPY mode: the `rollback` queued behind it never runs, the caller waits for
 * ever and PostgreSQL shows the connection "idle in transaction" (issue 10). Read to its end,
 * the connection is back at a statement boundary, so the caller's transaction rolls back and
 * the connection returns to the pool in working order.
 *
 * Between chunks the event loop gets a turn, so other requests are served while a large
 * snapshot loads (1,000,000 customers are some 4,000 chunks of parsing) instead of waiting
 * for the whole load.
 */
export async function readCopyOut(client: pg.PoolClient, sql: string, consume: (chunk: Buffer) => void): Promise<void> {
  const stream = client.query(copyTo(sql));
  let failure: { error: unknown } | null = null;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (failure) continue;
    try {
      consume(chunk);
    } catch (error) {
      failure = { error };
    }
    await nextTurn();
  }
  if (failure) throw failure.error;
}
