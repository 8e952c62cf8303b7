import type { SwaggerTransformObject } from '@fastify/swagger';
import { jsonSchemaTransformObject } from 'fastify-type-provider-zod';

const REF_PREFIX = '#/components/schemas/';

/**
 * The OpenAPI document as zod's schemas give it, without the component schemas nothing
 * refers to: each named zod schema is registered twice (as a request and as a response
 * shape), and a shape only ever sent, or only ever received, would show up in /docs as
 * clutter.
 */
export const transformOpenApiDocument: SwaggerTransformObject = (input) => {
  const document = jsonSchemaTransformObject(input) as { paths?: unknown; components?: { schemas?: Record<string, unknown> } };
  addUnavailableResponses(document.paths);
  const schemas = document.components?.schemas;
  if (!schemas) return document as ReturnType<SwaggerTransformObject>;
  const used = new Set<string>();
  const pending = [...referencedNames(document.paths)];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (used.has(name)) continue;
    used.add(name);
    pending.push(...referencedNames(schemas[name]));
  }
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name];
  return document as ReturnType<SwaggerTransformObject>;
};

function referencedNames(value: unknown): string[] {
  const names: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if (key === '$ref' && typeof child === 'string' && child.startsWith(REF_PREFIX)) names.push(child.slice(REF_PREFIX.length));
        else visit(child);
      }
    }
  };
  visit(value);
  return names;
}

/**
 * Any operation can answer 503 `unavailable` (src/http/errors.ts): the database is away, a
 * statement ran past the statement timeout, or the request deadline passed. Documented once
 * here rather than in every route's schema.
 */
function addUnavailableResponses(paths: unknown): void {
  if (!paths || typeof paths !== 'object') return;
  for (const operations of Object.values(paths as Record<string, Record<string, { responses?: Record<string, unknown> }>>)) {
    for (const operation of Object.values(operations)) {
      if (!operation?.responses || '503' in operation.responses) continue;
      operation.responses['503'] = {
        description: 'Unavailable: the database cannot be reached, a statement ran past the statement timeout, or the request deadline passed. Retry later.',
        content: { 'application/json': { schema: { $ref: `${REF_PREFIX}Error` } } },
      };
    }
  }
}
