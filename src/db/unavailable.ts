import { KizunaError } from '../shared/errors.ts';

/**
 * SQLSTATEs that mean the database, not the request, is the problem: connection failures
 * (class 08), the server shutting down or starting (57P01 admin_shutdown, 57P02
 * crash_shutdown, 57P03 cannot_connect_now), too many connections (53300), and a
 * statement cancelled by the statement timeout (57014 query_canceled). A serialisation
 * failure or deadlock (40001, 40P01) still there after the server's retries is one too: the
 * write was not stored and can be sent again.
 */
const UNAVAILABLE_STATES = new Set(['08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '53300']);
const STATEMENT_CANCELLED = '57014';

/** Node's socket errors when the server is unreachable or went away. */
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);

/**
 * What pg says when a connection broke (it carries no code): the connection ended under a
 * statement, a client that broke earlier was used again, or the pool could not connect in time.
 */
const BROKEN_CONNECTION =
  /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout exceeded when trying to connect|Connection is closed)/;

/**
 * The `unavailable` error (503, retry later) for an error that says the database is away or
 * a statement ran past the statement timeout; undefined for any other error. The HTTP edge
 * maps these, so a dropped connection or a stopped database is a clear 503, never a 500.
 */
export function databaseUnavailable(error: unknown): KizunaError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === STATEMENT_CANCELLED) {
    return new KizunaError(
      'unavailable',
      'The database cancelled a statement that ran longer than the statement timeout (KIZUNA_STATEMENT_TIMEOUT_MS); try again later or ask for less.',
    );
  }
  if (code === '40001' || code === '40P01') {
    return new KizunaError('unavailable', 'The write conflicted with concurrent writes to the same records and was not stored; send it again.');
  }
  const brokenConnection = typeof message === 'string' && BROKEN_CONNECTION.test(message);
  if ((typeof code === 'string' && (UNAVAILABLE_STATES.has(code) || SOCKET_ERRORS.has(code))) || brokenConnection) {
    return new KizunaError('unavailable', 'The database is unavailable (the connection was refused or dropped); try again in a moment.');
  }
  if (error instanceof AggregateError) return error.errors.map(databaseUnavailable).find((mapped) => mapped !== undefined);
  return undefined;
}
