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
