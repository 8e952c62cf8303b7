import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { databaseUnavailable } from '../db/unavailable.ts';
import { KizunaError, type ErrorCode } from '../shared/errors.ts';
import { REASON_CODES } from '../shared/reasons.ts';

/** Every error leaves the API as `{ code, message, details }` with the status mapped here, in one place. */
export const ErrorBody = z
  .object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string().optional().describe('On a 500: the id of the request, under which the error was logged (also the x-request-id header)'),
  })
  .meta({ id: 'Error' });

/** The code (and parameters) of a refused record or line, beside its English reason: see src/shared/reasons.ts. */
export const Refusal = z.object({
  code: z.enum(REASON_CODES).optional(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  too_many_requests: 429,
  unavailable: 503,
};

export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const known = error instanceof KizunaError ? error : (databaseUnavailable(error) ?? requestDeadline(error));
  if (known) {
    return reply.status(STATUS[known.code]).send({ code: known.code, message: known.message, details: known.details });
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((v) => ({ field: `${error.validationContext ?? ''}${v.instancePath}`.replace(/\//g, '.'), reason: v.message }));
    // A well-formed query asking for more than one request may (a page size past its cap, say):
    // the bounds of a request's work are refused as such, 422, as the analyses' own bounds are.
    if (error.validationContext === 'querystring' && error.validation.every((v) => v.keyword === 'too_big')) {
      return reply.status(422).send({
        code: 'validation_failed',
        message: `Beyond what one request may ask: ${issues.map((i) => `${i.field}: ${i.reason}`).join('; ')}`,
        details: { issues },
      });
    }
    return reply.status(400).send({
      code: 'bad_request',
      message: `Invalid request: ${issues.map((i) => `${i.field}: ${i.reason}`).join('; ')}`,
      details: { issues },
    });
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.statusCode && fastifyError.statusCode < 500) {
    const code = fastifyError.statusCode === 413 ? 'payload_too_large' : 'bad_request';
    return reply.status(fastifyError.statusCode).send({ code, message: fastifyError.message });
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.status(500).send({
    code: 'internal_error',
    message: `An unexpected error occurred; it has been logged with the request id ${request.id}.`,
    requestId: request.id,
  });
}

/** Fastify's handlerTimeout (the request deadline, KIZUNA_REQUEST_TIMEOUT_MS) as `unavailable`. */
function requestDeadline(error: FastifyError | Error): KizunaError | undefined {
  if ((error as FastifyError).code !== 'FST_ERR_HANDLER_TIMEOUT') return undefined;
  return new KizunaError(
    'unavailable',
    `${error.message.replace(/ on route .*$/, '')}: the request deadline (KIZUNA_REQUEST_TIMEOUT_MS) passed; try again later or ask for less.`,
  );
}
