import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generateApiClient, OPENAPI_FILE, SCHEMA_FILE } from '../scripts/gen-api-client.ts';

describe('the console API client', () => {
  it('matches the OpenAPI document the server serves (run `npm run gen:api` after changing a route)', async () => {
    const generated = await generateApiClient();
    expect(await readFile(OPENAPI_FILE, 'utf8')).toBe(generated.openapi);
    expect(await readFile(SCHEMA_FILE, 'utf8')).toBe(generated.schema);
  });
});
