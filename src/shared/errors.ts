/**
 * The few error kinds Kizuna raises past a domain boundary. Each has a stable `code`; the HTTP
 * edge maps codes to statuses in one place (src/http/errors.ts), the CLI prints the message.
 */
export type ErrorCode =
  | 'validation_failed'
  | 'not_found'
  | 'unauthorized'
  | 'forbidden'
  | 'conflict'
  | 'payload_too_large'
  | 'bad_request'
  /** Too many attempts (sign-in throttling); retry later. */
  | 'too_many_requests'
  /** The database (or another dependency) is unreachable or a deadline passed; retry later. */
  | 'unavailable';

export class KizunaError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'KizunaError';
  }
}

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
