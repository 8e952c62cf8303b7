import { ApiError } from '../api/client.ts';
import type { MapProblem } from './journey-map-types.ts';

/**
 * The problems of a refused preview or save, or undefined when the error is not a refusal of
 * the map: 422 `details.problems` (the map's vocabulary, as `journey set` reports it) or 400
 * `details.issues` (a body of the wrong shape, fields prefixed `body.map.`).
 */
export function refusedProblems(error: unknown): MapProblem[] | undefined {
  if (!(error instanceof ApiError) || (error.status !== 400 && error.status !== 422)) return undefined;
  const details = error.details as { problems?: unknown; issues?: unknown } | undefined;
  if (Array.isArray(details?.problems) && details.problems.length > 0) {
    return (details.problems as Array<{ path?: unknown; message?: unknown }>).map((p) => ({ path: String(p.path ?? ''), message: String(p.message ?? '') }));
  }
  if (Array.isArray(details?.issues) && details.issues.length > 0) {
    return (details.issues as Array<{ field?: unknown; reason?: unknown }>).map((issue) => ({
      path: String(issue.field ?? '').replace(/^body\.?(map\.?)?/, ''),
      message: String(issue.reason ?? ''),
    }));
  }
  return undefined;
}
