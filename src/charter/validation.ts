import type { z } from 'zod';
import { KizunaError } from '../shared/errors.ts';

/** One problem of a refused input: the field's path (`limits.maxSentenceLength`) and why. */
export interface FieldProblem {
  field: string;
  reason: string;
}

/**
 * `input` parsed by `schema`, or `validation_failed` naming every field that is wrong and why
 * (details: `{ problems: [{ field, reason }] }`); `what` names the input itself when the whole
 * of it is wrong (not an object).
 */
export function parseOrRefuse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const outcome = schema.safeParse(input);
  if (outcome.success) return outcome.data;
  const problems: FieldProblem[] = outcome.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : what,
    reason: issue.message,
  }));
  throw new KizunaError('validation_failed', `The ${what} is not valid: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}`, { problems });
}
