import type { ErrorCode } from '../shared/errors.ts';

/**
 * What a `kizuna` command's exit status says, for every command (the README's table): scripts
 * and CI branch on it. `refused` is the command doing its job and saying no (the input does not
 * hold together, an import's lines were rejected, a checked message has an error); `failed`
 * is a command that could not run as written; `retryLater` is the sysexits EX_TEMPFAIL, for a
 * condition that passes (throttled, the database away).
 */
export const EXIT = {
  done: 0,
  refused: 1,
  failed: 2,
  retryLater: 75,
} as const;

/** The exit status of each error code, as src/http/errors.ts maps them to HTTP statuses. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  validation_failed: EXIT.refused,
  conflict: EXIT.refused,
  bad_request: EXIT.failed,
  not_found: EXIT.failed,
  unauthorized: EXIT.failed,
  forbidden: EXIT.failed,
  payload_too_large: EXIT.failed,
  too_many_requests: EXIT.retryLater,
  unavailable: EXIT.retryLater,
};
