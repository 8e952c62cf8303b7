import type { FastifySchemaCompiler } from 'fastify';
import type { FastifyRouteSchemaDef } from 'fastify/types/schema.js';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

/**
 * A route validator that checks params and query with their zod schemas as usual, but the
 * body only against `bodyCheck` (by default, not at all). For routes whose declared body
 * schema documents the request in OpenAPI while the handler checks it itself: batch records
 * (so each invalid record is reported by index) or a multipart upload.
 */
export function bodyCheckedBy(bodyCheck: z.ZodType = z.unknown()) {
  return function compile<S>(route: FastifyRouteSchemaDef<S>): ReturnType<FastifySchemaCompiler<S>> {
    // Fastify hands each part's schema over as the route declared it: here, zod schemas.
    const schema: z.ZodType = route.httpPart === 'body' ? bodyCheck : (route.schema as z.ZodType);
    return validatorCompiler({ ...route, schema });
  };
}
